import numpy as np

from humanprep.datasets.shhq.composite import on_white


def test_on_white_keeps_person_whitens_background_blends_edges():
    rgb = np.full((1, 3, 3), 100, np.uint8)
    mask = np.array([[255, 0, 128]], np.uint8)
    out = on_white(rgb, mask)
    assert out[0, 0].tolist() == [100, 100, 100]
    assert out[0, 1].tolist() == [255, 255, 255]
    # 100 * 128/255 + 255 * 127/255 = 50.2 + 127.0 = 177.2 -> 177
    assert out[0, 2].tolist() == [177, 177, 177]
