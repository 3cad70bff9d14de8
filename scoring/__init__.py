"""Lead scoring engine: pure Python and pandas, no Excel and no I/O."""
from .defaults import default_model
from .engine import OUTPUTS, Scored, evaluate_leads, score
from .errors import LeadScoreError
from .model import (OPERATORS, BehaviourRule, CheckedModel, EventRule, FitRule, GradeBand, Model, ModelError, Problem,
                    RuleGroup, ScoreBand, Settings, StatusRule, check)

__all__ = [
    "OPERATORS", "OUTPUTS", "BehaviourRule", "CheckedModel", "EventRule", "FitRule", "GradeBand", "LeadScoreError", "Model",
    "ModelError", "Problem", "RuleGroup", "ScoreBand", "Scored", "Settings", "StatusRule", "check", "default_model",
    "evaluate_leads", "score",
]
