"""Saves fitlake's churn model as an equivalent scikit-learn LogisticRegression in MLflow's model
format (same coefficients), served with predict_proba (the churn probability, as the fitlake API returns)."""
import json, sys
import numpy as np
import mlflow.sklearn
from sklearn.linear_model import LogisticRegression

spec = json.load(open(sys.argv[1]))
out = sys.argv[2]
clf = LogisticRegression()
clf.classes_ = np.array([0, 1])
clf.coef_ = np.array([spec["coef"]])
clf.intercept_ = np.array([spec["intercept"]])
clf.n_features_in_ = len(spec["coef"])
mlflow.sklearn.save_model(clf, out, serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE, pyfunc_predict_fn="predict_proba")
print(json.dumps({"saved": out}))
