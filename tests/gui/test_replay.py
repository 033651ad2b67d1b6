"""Replay: one request against two profiles, trees side by side, differences marked."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from PySide6.QtCore import Qt

from rpiq.core.history import HistoryStore
from rpiq.core.net.ae import VERIFICATION_UID
from rpiq.core.profiles import AEProfile, ProfileStore
from rpiq.core.sr.diff import ChangeKind
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.samples import every_value_type_tree
from rpiq.core.status import RpiqStatus
from rpiq.core.templates import RpiSopClass
from rpiq.gui.main_window import MainWindow
from rpiq.gui.replay_pane import MARK_COLOURS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rpiq.core.sr.model import ContentNode

pytestmark = pytest.mark.network
WAIT_MS = 15000


@dataclass
class TreeScp:
    """A loopback RPI SCP answering every query with ``tree`` (or C100)."""

    tree: ContentNode
    fail: bool = False
    port: int = 0

    def handle_find(self, event: evt.Event):
        if self.fail:
            yield int(RpiqStatus.MORE_THAN_ONE_MATCH), None
            return
        ds = Dataset()
        ds.PatientName = "DEMO^ALICE"
        ds.PatientID = event.identifier.PatientID
        ds.IssuerOfPatientID = "HOSP-A"
        ds.update(encode_root(self.tree))
        yield int(RpiqStatus.PENDING), ds


def changed_tree() -> ContentNode:
    """every_value_type_tree with item 2 removed, 3.2 changed, one item added."""
    tree = every_value_type_tree()
    children = list(tree.children)
    gyn = children[2]
    date = gyn.children[1]
    edited = dataclasses.replace(date, value="19990101")
    gyn = dataclasses.replace(
        gyn, children=(gyn.children[0], edited, *gyn.children[2:])
    )
    note = children[4].children[0]
    extra = dataclasses.replace(note, value="added by site B")
    return dataclasses.replace(tree, children=(children[0], gyn, *children[3:], extra))


@pytest.fixture
def two_sites() -> Iterator[tuple[TreeScp, TreeScp]]:
    scps = (TreeScp(every_value_type_tree()), TreeScp(changed_tree()))
    servers = []
    for scp in scps:
        ae = AE(ae_title="SITE")
        for uid in (*(sop.uid for sop in RpiSopClass), VERIFICATION_UID):
            ae.add_supported_context(uid)
        server = ae.start_server(
            ("127.0.0.1", 0),
            block=False,
            evt_handlers=[(evt.EVT_C_FIND, scp.handle_find)],
        )
        assert server is not None
        scp.port = server.server_address[1]
        servers.append(server)
    try:
        yield scps
    finally:
        for server in servers:
            server.shutdown()


@pytest.fixture
def window(qtbot, two_sites):
    store = ProfileStore.default()
    for name, scp in zip(("Site A", "Site B"), two_sites, strict=True):
        store.add(AEProfile(name, called_ae="SITE", port=scp.port, dimse_timeout=10))
    store.save()
    w = MainWindow(store, HistoryStore.default())
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.panel.profile_combo.count() == 2, timeout=WAIT_MS)
    w.panel.patient_id_edit.setText("PAT-1")
    yield w
    w.shutdown()


def replay(qtbot, w, left="Site A", right="Site B"):
    w.actions_.replay.trigger()
    dialog = w.replays.dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert "PAT-1" in dialog.request_label.text()
    dialog.combos["left"].setCurrentText(left)
    dialog.combos["right"].setCurrentText(right)
    with qtbot.waitSignal(dialog.compared, timeout=WAIT_MS) as done:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    return dialog, done.args[0]


def test_replay_marks_the_differences(qtbot, window):
    dialog, diff = replay(qtbot, window)
    kinds = sorted(d.kind.value for d in diff)
    assert kinds == ["added", "changed", "removed"]
    assert dialog.summary.text().startswith("<b>3 differences</b>")
    left, right = dialog.panes["left"], dialog.panes["right"]
    assert left.root == every_value_type_tree()
    assert right.root == changed_tree()
    assert left.background((2,)) == MARK_COLOURS[ChangeKind.REMOVED]
    assert left.background((2, 1)) == MARK_COLOURS[ChangeKind.REMOVED]  # subtree
    assert left.background((3, 2)) == MARK_COLOURS[ChangeKind.CHANGED]
    assert right.background((2, 2)) == MARK_COLOURS[ChangeKind.CHANGED]
    added = next(d for d in diff if d.kind is ChangeKind.ADDED)
    assert right.background(added.right) == MARK_COLOURS[ChangeKind.ADDED]
    assert left.background((1,)) is None
    tip = left.model.index_for_path((3, 2)).data(Qt.ItemDataRole.ToolTipRole)
    assert "value: 2024-01-05 → 1999-01-01" in tip
    assert dialog.differences.topLevelItemCount() == 3
    item = next(
        dialog.differences.topLevelItem(i)
        for i in range(3)
        if dialog.differences.topLevelItem(i).text(0) == "changed"
    )
    rect = dialog.differences.visualItemRect(item)
    qtbot.mouseClick(
        dialog.differences.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
    )
    assert left.tree.currentIndex() == left.model.index_for_path((3, 2))
    assert right.tree.currentIndex() == right.model.index_for_path((2, 2))


def test_same_profile_twice_has_no_differences(qtbot, window):
    dialog, diff = replay(qtbot, window, "Site A", "Site A")
    assert diff.same
    assert "No differences" in dialog.summary.text()
    assert dialog.differences.topLevelItemCount() == 0


def test_a_side_without_a_tree_is_explained(qtbot, window, two_sites):
    two_sites[1].fail = True
    dialog, diff = replay(qtbot, window)
    assert diff is None
    assert "no tree on the right" in dialog.summary.text()
    assert "Failure" in dialog.panes["right"].status.text()
    assert dialog.run_button.isEnabled()


def test_replay_needs_a_valid_request(qtbot, window):
    window.panel.patient_id_edit.setText("")
    window.actions_.replay.trigger()
    dialog = window.replays.dialog
    assert "no valid request" in dialog.request_label.text()
    assert not dialog.run_button.isEnabled()
    assert not dialog.run()
    dialog.close()
