"""`minigrad.accelerator`: PyTorch's question "is there a GPU or other accelerator?" is always
answered "no" here, so tutorial code such as
`device = minigrad.accelerator.current_accelerator().type if minigrad.accelerator.is_available() else "cpu"`
runs on the CPU."""


def is_available() -> bool:
    return False


def current_accelerator():
    return None


def device_count() -> int:
    return 0
