"""Qt bindings must not drop references to Python's singletons.

PySide6-Essentials 6.12.0 on Python 3.11 decrements None's reference count on
every ``processEvents()``, every ``setData``/``data`` round trip through a
model and every queued signal; True and False lose references too. None
starts with ~65k references, so after a few hundred queries the workstation
aborted with "Fatal Python error: deallocating None". On Python 3.12+ these
objects are immortal and the counts never move. pyproject.toml keeps 3.11 on
PySide6 < 6.12.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel

ROUNDS = 300
SLACK = 30  # unrelated references the interpreter may take or drop meanwhile


class _Emitter(QObject):
    value = Signal(object)


def test_qt_round_trips_keep_none_true_and_false_alive(qapp: Any) -> None:
    model = QStandardItemModel()
    item = QStandardItem("x")
    model.appendRow(item)
    emitter = _Emitter()
    received: list[object] = []
    emitter.value.connect(lambda v: received.append(type(v)))  # keep no value
    before = {name: sys.getrefcount(obj) for name, obj in _SINGLETONS.items()}
    for _ in range(ROUNDS):
        for value in (None, True, False):
            item.setData(value, Qt.ItemDataRole.UserRole)
            item.data(Qt.ItemDataRole.UserRole)
            emitter.value.emit(value)
        qapp.processEvents()
    lost = {
        name: before[name] - sys.getrefcount(obj)
        for name, obj in _SINGLETONS.items()
        if before[name] - sys.getrefcount(obj) > SLACK
    }
    assert lost == {}, f"references lost over {ROUNDS} rounds: {lost}"
    assert len(received) == 3 * ROUNDS


_SINGLETONS: dict[str, object] = {"None": None, "True": True, "False": False}
