"""Lead scoring engine: pure Python and pandas, no Excel and no I/O."""
from .defaults import default_model
from .engine import OUTPUTS, score
from .model import (OPERATORS, BehaviourRule, FitRule, GradeBand, Model, ModelError, Problem,
                    ScoreBand, Settings, StatusRule)

__all__ = [
    "OPERATORS", "OUTPUTS", "BehaviourRule", "FitRule", "GradeBand", "Model", "ModelError",
    "Problem", "ScoreBand", "Settings", "StatusRule", "default_model", "score",
]
