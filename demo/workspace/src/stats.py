from statistics import mean


def moving_average(values: list[float], window: int) -> list[float]:
    """Return the moving average of `values` over `window` items."""
    if window <= 0:
        raise ValueError("window must be positive")
    return [mean(values[i : i + window]) for i in range(len(values) - window + 1)]
