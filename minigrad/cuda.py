"""`minigrad.cuda`: there is no GPU in minigrad, so PyTorch's device checks answer "no"
(`device = "cuda" if minigrad.cuda.is_available() else "cpu"` picks the CPU)."""


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Nothing to seed: `minigrad.manual_seed` seeds all of minigrad's randomness."""


manual_seed_all = manual_seed
