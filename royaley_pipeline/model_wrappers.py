"""The MLflow pyfunc wrapper for models that are not plain scikit-learn (H2O MOJO, AutoGluon).

Kept in its own small module because MLflow pickles the wrapper by reference: the class must be
importable, under this name, wherever the model is loaded.
"""

from __future__ import annotations

import mlflow.pyfunc
import numpy as np
import pandas as pd


class CalibratedProbabilityModel(mlflow.pyfunc.PythonModel):
    """``predict`` returns the calibrated probability of the modelled event for each row."""

    def __init__(self, model, feature_columns: list[str]) -> None:
        self.model = model
        self.feature_columns = list(feature_columns)

    def predict(self, context, model_input: pd.DataFrame, params=None) -> np.ndarray:
        return self.model.predict_proba(model_input[self.feature_columns])[:, 1]
