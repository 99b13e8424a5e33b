"""Peers of fitlake's trainers on the exported training sets: scikit-learn LogisticRegression,
implicit ALS (conjugate gradient, as fitlake) and statsmodels ETS with the same candidates and backtest."""
import json, os, sys, time, warnings
import numpy as np

warnings.filterwarnings("ignore")
d = sys.argv[1]
meta = json.load(open(os.path.join(d, "meta.json")))


def f64(name, shape=None):
    a = np.fromfile(os.path.join(d, name), dtype="<f8")
    return a.reshape(shape) if shape else a


def timed(runs, fn):
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, sorted(times)[len(times) // 2]


def churn():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    m = meta["churn"]
    X, y, w = f64("X_train.f64", (m["n"], m["d"])), f64("y_train.f64"), f64("w_train.f64")
    Xt, yt = f64("X_test.f64", (m["n_test"], m["d"])), f64("y_test.f64")
    # fitlake minimizes Σ w·loss / Σ w + λ/2 ‖β‖²; scikit-learn C Σ w·loss + ½ ‖β‖², so C = 1 / (λ Σ w)
    C = 1.0 / (m["l2"] * w.sum())
    clf, secs = timed(3, lambda: LogisticRegression(C=C, solver="lbfgs", max_iter=10000, tol=1e-6).fit(X, y, sample_weight=w))
    return {"auc": float(roc_auc_score(yt, clf.decision_function(Xt))), "fit_seconds": secs, "iterations": int(clf.n_iter_[0])}


def als():
    import scipy.sparse as sp
    from implicit.cpu.als import AlternatingLeastSquares
    out = {}
    for target, m in meta["als"].items():
        indptr = np.fromfile(os.path.join(d, f"{target}_indptr.i32"), dtype="<i4")
        indices = np.fromfile(os.path.join(d, f"{target}_indices.i32"), dtype="<i4")
        conf = f64(f"{target}_conf.f64").astype(np.float32)
        ui = sp.csr_matrix((conf, indices, indptr), shape=(m["rows"], m["cols"]))
        # fitlake's confidence is 1 + alpha·r, exported as the matrix: implicit with alpha = 1 uses it as is
        def fit(threads):
            model = AlternatingLeastSquares(factors=m["factors"], regularization=m["regularization"], alpha=1.0, iterations=m["iterations"],
                                            use_cg=True, calculate_training_loss=False, random_state=m["seed"], num_threads=threads)
            model.cg_steps = m["cg_steps"]
            model.fit(ui, show_progress=False)
            return model
        _, secs1 = timed(3, lambda: fit(1))
        model, secs = timed(3, lambda: fit(0))
        np.asarray(model.user_factors, dtype="<f4").tofile(os.path.join(d, f"{target}_user_factors.f32"))
        np.asarray(model.item_factors, dtype="<f4").tofile(os.path.join(d, f"{target}_item_factors.f32"))
        out[target] = {"fit_seconds": secs, "fit_seconds_1_thread": secs1}
    return out


def forecast():
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    f = meta["forecast"]
    means = {}

    def run():
        for s in f["series"]:
            y = np.asarray(s["units"], dtype=float)
            for o in range(len(y) - f["horizon"] - f["origins"] + 1, len(y) - f["horizon"] + 1):
                if o < 8:
                    continue
                train = y[:o]
                fits = [ETSModel(train, error="add", trend=None).fit(disp=False),
                        ETSModel(train, error="add", trend="add", damped_trend=True).fit(disp=False)]
                best = min(fits, key=lambda r: r.aicc)
                for h, v in enumerate(best.forecast(f["horizon"]), start=1):
                    means[f"{s['sku']}|{o}|{h}"] = float(v)
    _, secs = timed(1, run)
    return {"fit_seconds": secs, "means": means}


print(json.dumps({"churn": churn(), "als": als(), "forecast": forecast()}))
