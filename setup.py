from setuptools import find_packages, setup

setup(
    name="leadscore-excel",
    version="0.1.0",
    description="Lead Score for Excel: transparent lead grading, scoring and routing in a workbook",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    # Every package and subpackage (workbook.xlsx is one): tests/test_structure.py checks it.
    packages=find_packages(include=["scoring", "scoring.*", "workbook", "workbook.*", "addin", "addin.*"]),
    python_requires=">=3.10",
    install_requires=[
        "pandas>=2.2.2",  # The first pandas that runs on NumPy 2.
        "numpy>=2.0",  # scoring/report.py uses numpy.strings.
        # Both are patched in private places (workbook/shared_formulas.py, workbook/openpyxl_fixes.py;
        # workbook/formulas.py), checked on these series only.
        "openpyxl>=3.1.2,<3.2",
        "XlsxWriter>=3.1.2,<3.4",
        "xlwings>=0.30",
        "click>=8.1",
        "icalendar>=5",
        "Pillow>=9",  # Lets openpyxl keep pictures (logos) when it saves a workbook.
        "defusedxml>=0.7",  # openpyxl and our package checks parse XML with it (no entity bombs).
        # Lead hygiene and duplicates (scoring/hygiene.py, scoring/duplicates.py); none goes on the network.
        "disposable-email-domains>=0.0.100",  # The maintained list of throwaway mail domains.
        "email-validator>=2.0",  # Address syntax, with check_deliverability=False (no DNS).
        "phonenumbers>=8.13",
        "rapidfuzz>=3.0",
        "scikit-learn>=1.3",  # calibrate's regularised logistic regression (scoring/suggest.py).
        # leadscore score and sql (scoring/sql, workbook/bulk): the model as SQL, run in embedded DuckDB,
        # carried to other dialects by sqlglot; Parquet files read and written by pyarrow.
        "duckdb>=1.1",
        "sqlglot>=30",
        "pyarrow>=15",
    ],
    extras_require={"test": ["pytest>=7", "hypothesis>=6", "oletools>=0.60", "olefile>=0.46",
                             "msoffcrypto-tool>=5",
                             "pypdfium2>=4",  # Reads and pictures the demo's pages (tests/test_render_demo.py).
                             "pyspark>=3.5"],  # The Spark parity test (tests/test_sql_scale.py; Java 17, .ci/run).
                    # Spark (leadscore score --engine spark) is big and needs Java 17, so it is an extra.
                    "spark": ["pyspark>=3.5"]},
    entry_points={"console_scripts": ["leadscore=addin.cli:main"]},
)
