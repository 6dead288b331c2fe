"""Pictures for `snakemake --report`: contact sheets and count charts.

draw (plain PIL drawing: keypoints, skeletons, boxes, polygons, mask and label overlays,
tiles, strips and the HuGe100K view ring), sheets (one contact sheet per dataset and the
DeepFashion2 full-body examples, built from normalised records), charts (matplotlib bar
charts and the licence pie) and counts (the numbers behind the charts). Every picture is
deterministic: the same inputs give byte-identical PNGs.
"""
