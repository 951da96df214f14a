"""glasstorch.special against torch.special: values, dtypes, gradients (where PyTorch has them), edges, out=."""
import numpy as np
import pytest
import torch as _torch

from parity import Const, check, check_error, gradcheck

import glasstorch


def _input(kind, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    lo, hi = {"real": (-3.0, 3.0), "pos": (0.5, 4.0), "unit": (0.05, 0.95), "sym": (-0.95, 0.95),
              "big": (1.5, 4.0)}[kind]
    return rng.uniform(lo, hi, shape).astype(np.float32)


DIFFERENTIABLE = {
    "digamma": (lambda torch, x: torch.special.digamma(x), "pos"),
    "psi": (lambda torch, x: torch.special.psi(x), "pos"),
    "polygamma": (lambda torch, x: torch.special.polygamma(2, x), "pos"),
    "gammaln": (lambda torch, x: torch.special.gammaln(x), "real"),
    "multigammaln": (lambda torch, x: torch.special.multigammaln(x + 1, 3), "pos"),
    "entr": (lambda torch, x: torch.special.entr(x), "pos"),
    "erf": (lambda torch, x: torch.special.erf(x), "real"),
    "erfc": (lambda torch, x: torch.special.erfc(x), "real"),
    "erfcx": (lambda torch, x: torch.special.erfcx(x), "real"),
    "erfinv": (lambda torch, x: torch.special.erfinv(x), "sym"),
    "exp2": (lambda torch, x: torch.special.exp2(x), "real"),
    "expit": (lambda torch, x: torch.special.expit(x), "real"),
    "expm1": (lambda torch, x: torch.special.expm1(x), "real"),
    "log1p": (lambda torch, x: torch.special.log1p(x), "pos"),
    "i0": (lambda torch, x: torch.special.i0(x), "real"),
    "i0e": (lambda torch, x: torch.special.i0e(x), "real"),
    "i1": (lambda torch, x: torch.special.i1(x), "real"),
    "i1e": (lambda torch, x: torch.special.i1e(x), "real"),
    "ndtr": (lambda torch, x: torch.special.ndtr(x), "real"),
    "log_ndtr": (lambda torch, x: torch.special.log_ndtr(x), "real"),
    "ndtri": (lambda torch, x: torch.special.ndtri(x), "unit"),
    "logit": (lambda torch, x: torch.special.logit(x), "unit"),
    "logit_eps": (lambda torch, x: torch.special.logit(x, eps=0.2), "unit"),
    "sinc": (lambda torch, x: torch.special.sinc(x), "real"),
    "round": (lambda torch, x: torch.special.round(x) + x, "real"),
    "softmax": (lambda torch, x: torch.special.softmax(x, 1), "real"),
    "log_softmax": (lambda torch, x: torch.special.log_softmax(x, dim=0), "real"),
    "logsumexp": (lambda torch, x: torch.special.logsumexp(x, 1, keepdim=True), "real"),
    "xlogy": (lambda torch, x: torch.special.xlogy(x, x + 1), "pos"),
    "xlog1py": (lambda torch, x: torch.special.xlog1py(x, x), "pos"),
    "gammainc": (lambda torch, x: torch.special.gammainc(x.detach() + 1, x), "pos"),
    "gammaincc": (lambda torch, x: torch.special.gammaincc(x.detach() + 1, x), "pos"),
    "zeta": (lambda torch, x: torch.special.zeta(x.detach() + 1.5, x), "pos"),
}


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_differentiable_parity(name):
    fn, kind = DIFFERENTIABLE[name]
    check(fn, _input(kind), rtol=3e-4)


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_differentiable_float64(name):
    fn, kind = DIFFERENTIABLE[name]
    check(fn, _input(kind).astype(np.float64), dtype=np.float64, rtol=1e-7)


@pytest.mark.parametrize("name", sorted(set(DIFFERENTIABLE) - {"round", "gammainc", "gammaincc", "zeta"}))
def test_gradcheck(name):
    fn, kind = DIFFERENTIABLE[name]
    gradcheck(fn, _input(kind, (2, 3)).astype(np.float64))


@pytest.mark.parametrize("name", ["gammainc", "gammaincc", "zeta"])
def test_gradcheck_second_argument(name):
    """PyTorch differentiates these in their second argument only."""
    a = Const(_input("big", (2, 3)).astype(np.float64))
    gradcheck(lambda torch, a, x: getattr(torch.special, name)(a, x), a, _input("pos", (3,)).astype(np.float64))


NO_GRAD = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0", "modified_bessel_i1",
           "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
           "spherical_bessel_j0"]


@pytest.mark.parametrize("name", NO_GRAD)
@pytest.mark.parametrize("kind", ["real", "pos"])
def test_bessel_family(name, kind):
    """PyTorch records no gradient for these: the result does not require grad."""
    check(lambda torch, x: getattr(torch.special, name)(x), _input(kind) * 3, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", NO_GRAD)
def test_bessel_family_edges_and_integers(name):
    x = np.array([0.0, -0.0, 1.0, -1.0, 1e-6, 30.0, -30.0, np.inf, -np.inf, np.nan], np.float32)
    check(lambda torch, x: getattr(torch.special, name)(x), Const(x), rtol=1e-3, atol=1e-6)
    check(lambda torch, x: getattr(torch.special, name)(x), np.array([0, 1, 2, 5]), rtol=1e-4)


POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
               "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
               "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
               "laguerre_polynomial_l", "legendre_polynomial_p"]


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials(name):
    x = np.random.default_rng(0).uniform(-1, 1, (3, 5)).astype(np.float32)
    if name.startswith("shifted"):
        x = (x + 1) / 2
    n = np.array([0, 1, 2, 3, 6], np.float32)
    check(lambda torch, x, n: getattr(torch.special, name)(x, n), x, n, rtol=1e-3, atol=1e-4)
    check(lambda torch, x: getattr(torch.special, name)(x, 4), x, rtol=1e-3, atol=1e-4)
    check(lambda torch, n: getattr(torch.special, name)(0.3, n), n, rtol=1e-3, atol=1e-4)
    check(lambda torch, x: getattr(torch.special, name)(x, 3), np.array([0, 1, 2]), rtol=1e-3)
    check(lambda torch, x: getattr(torch.special, name)(x, -1), x)


def test_polynomial_edges():
    x = np.array([-1.0, 1.0, 0.0, 0.5], np.float32)
    for name in POLYNOMIALS:
        check(lambda torch, x: getattr(torch.special, name)(x, 5), Const(x), rtol=1e-4, atol=1e-5)


EDGES = np.array([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.0, 10.0, -10.0, np.inf, -np.inf, np.nan], np.float32)


@pytest.mark.parametrize("name", ["digamma", "gammaln", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit",
                                  "expm1", "log1p", "i0", "i0e", "i1", "i1e", "ndtr", "log_ndtr", "ndtri", "logit",
                                  "sinc", "round"])
def test_edges(name):
    check(lambda torch, x: getattr(torch.special, name)(x), Const(EDGES), rtol=1e-4)


@pytest.mark.parametrize("name", ["digamma", "gammaln", "entr", "erfcx", "i0e", "i1", "i1e", "ndtr", "log_ndtr",
                                  "ndtri", "expit", "exp2"])
def test_integer_input(name):
    check(lambda torch, x: getattr(torch.special, name)(x), np.array([0, 1, 2, 3]), rtol=1e-4)


def test_entr_and_ndtri_domain_gradients():
    check(lambda torch, x: torch.special.entr(x), np.array([0.0, 0.5, 1.0, 2.0], np.float32))
    check(lambda torch, x: torch.special.ndtri(x), np.array([0.5, 0.1, 0.9], np.float32))
    check(lambda torch, x: torch.special.i1(x), np.array([0.0, 0.5, -1.0], np.float32))
    check(lambda torch, x: torch.special.i1e(x), np.array([0.0, 0.5, -1.0], np.float32))


def test_zeta_values_and_no_derivative_in_x():
    check(lambda torch, x, q: torch.special.zeta(x, q), Const(_input("big")), _input("pos", (4,)), rtol=1e-4)
    check(lambda torch, q: torch.special.zeta(2.0, q), _input("pos"))
    check(lambda torch, x: torch.special.zeta(x, 1.0), Const(_input("big")))
    check_error(lambda torch, x: torch.special.zeta(x.requires_grad_(), 2.0).sum().backward(), _input("big"))


def test_gammainc_no_derivative_in_a():
    check_error(lambda torch, a: torch.special.gammainc(a.requires_grad_(), a).sum().backward(), _input("pos"))


@pytest.mark.parametrize("name", ["erfcx", "ndtr", "log_ndtr", "i0e", "i1", "i1e", "entr", "bessel_j0", "airy_ai",
                                  "modified_bessel_k1", "spherical_bessel_j0", "exp2", "gammaln", "digamma"])
def test_out(name):
    a = _input("pos")
    res = []
    for lib in (_torch, glasstorch):
        out = lib.empty(0)
        r = getattr(lib.special, name)(lib.from_numpy(a.copy()), out=out)
        assert r is out
        res.append(out.numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-4, atol=1e-6)


def test_out_binary_and_polynomial():
    a, b = _input("big"), _input("pos")
    for name in ("zeta", "xlogy", "xlog1py", "gammainc", "gammaincc", "chebyshev_polynomial_t"):
        res = []
        for lib in (_torch, glasstorch):
            out = lib.empty(0)
            getattr(lib.special, name)(lib.from_numpy(a.copy()), lib.from_numpy(b.copy()), out=out)
            res.append(out.numpy())
        np.testing.assert_allclose(res[1], res[0], rtol=1e-4, atol=1e-6)


def test_every_torch_special_name_exists():
    names = [n for n in dir(_torch.special) if not n.startswith("_") and n not in ("torch", "Tensor", "common_args",
                                                                                   "multi_dim_common")]
    assert [n for n in names if not hasattr(glasstorch.special, n)] == []


def test_missing_name_message():
    with pytest.raises(AttributeError, match="torch.special.nope"):
        glasstorch.special.nope
