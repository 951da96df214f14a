"""torch.backends.cpu: the CPU's vector capability, as NumPy sees it."""


def get_cpu_capability():
    """The widest SIMD instruction set NumPy found: "AVX512", "AVX2" or "DEFAULT" (PyTorch's words on x86;
    on other machines "DEFAULT" unless NumPy reports ARM's SVE/NEON names: PyTorch says "SVE256"/"DEFAULT")."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # NumPy < 2
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as features
        except ImportError:
            return "DEFAULT"
    if features.get("AVX512F") and features.get("AVX512BW") and features.get("AVX512VL"):
        return "AVX512"
    if features.get("AVX2"):
        return "AVX2"
    return "DEFAULT"
