"""Which normalised items a release holds: by dataset, split and licence."""


def wanted(record, splits, licences):
    """splits / licences: empty means all."""
    if splits and record["split"] not in splits:
        return False
    return not licences or record["license"]["id"] in licences
