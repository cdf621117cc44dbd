"""The training set ``rtml backfill`` writes, read as ``scripts/train.py`` reads it.

CSV as RFC 4180 quotes it (a value holding a comma, a double quote or a line break is quoted, and
its quotes doubled), read with Python's csv module: the header
``event_id,<entity ids...>,event_time,<features...>,label``, then one row per event. event_time
is epoch milliseconds, every feature a float, label 0 or 1, or empty when not known (such rows
are skipped). The features are whatever columns lie between event_time and label, in that order.

Standard library only, so that the tests read the backfill's output with it without torch.
"""

import csv
import math
from typing import List, NamedTuple

TIME_COLUMN = "event_time"
LABEL_COLUMN = "label"


class TrainingSet(NamedTuple):
    features: List[str]  # the feature columns, in order
    ids: List[str]  # of the labelled rows, in file order
    times: List[int]  # their event_time, epoch milliseconds
    rows: List[List[float]]  # their features
    labels: List[int]  # their label, 0 or 1
    unlabelled: int  # rows skipped for an empty label


class TrainingSetError(ValueError):
    """The file is not a training set; the message names the file, and the line where it can."""


def read(path: str) -> TrainingSet:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise TrainingSetError(f"{path} is empty")
        header = [h.strip() for h in header]
        if (header[0] != "event_id" or TIME_COLUMN not in header or header[-1] != LABEL_COLUMN
                or header.index(TIME_COLUMN) >= len(header) - 2):
            raise TrainingSetError(
                f"{path}: header must be event_id,<entity ids...>,{TIME_COLUMN},"
                f"<feature columns...>,{LABEL_COLUMN} (at least one feature); "
                f"got {','.join(header)}")
        t = header.index(TIME_COLUMN)
        features = header[t + 1:-1]
        duplicated = sorted({c for c in header if header.count(c) > 1})
        if duplicated:
            raise TrainingSetError(f"{path}: duplicate column(s) in header: {', '.join(duplicated)}")

        width = len(header)
        ids, times, rows, labels = [], [], [], []
        unlabelled = 0
        for record in reader:
            line = reader.line_num
            if not record:
                continue  # blank line
            if len(record) != width:
                raise TrainingSetError(f"{path}:{line}: expected {width} fields, got {len(record)}")
            label = record[-1].strip()
            if label == "":
                unlabelled += 1
                continue
            try:
                time_ms = int(record[t])
            except ValueError:
                raise TrainingSetError(
                    f"{path}:{line}: event_time must be epoch milliseconds (an integer), "
                    f"got {record[t]!r}") from None
            try:
                values = [float(v) for v in record[t + 1:-1]]
            except ValueError:
                bad = next(i for i, v in enumerate(record[t + 1:-1]) if not _is_float(v))
                raise TrainingSetError(
                    f"{path}:{line}: feature {features[bad]} is not a number: "
                    f"{record[t + 1 + bad]!r}") from None
            if not all(math.isfinite(v) for v in values):
                bad = next(i for i, v in enumerate(values) if not math.isfinite(v))
                raise TrainingSetError(
                    f"{path}:{line}: feature {features[bad]} is not finite: "
                    f"{record[t + 1 + bad]!r}")
            if label in ("0", "1"):
                labels.append(int(label))
            elif _is_float(label) and float(label) in (0.0, 1.0):
                labels.append(int(float(label)))
            else:
                raise TrainingSetError(f"{path}:{line}: label must be 0 or 1, got {record[-1]!r}")
            times.append(time_ms)
            ids.append(record[0])
            rows.append(values)
    return TrainingSet(features, ids, times, rows, labels, unlabelled)


def _is_float(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False
