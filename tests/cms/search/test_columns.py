import numpy as np

from cms.search.columns import Columns


def test_columns_grow_and_keep_values():
    columns = Columns({"length": np.float64}, capacity=2)
    columns.set(0, {"length": 3.0})
    columns.set(5, {"length": 7.0})
    assert columns.view("length", 6).tolist() == [3.0, 0, 0, 0, 0, 7.0]
