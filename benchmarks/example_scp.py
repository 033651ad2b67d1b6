"""The pynetdicom documentation's RPI SCP example, made runnable for benchmarks.

As in the example, every query rereads every file of a folder and matches on
Patient ID only; ``create_template`` copies the matched SR document's content.
With ``--tuned`` it gets RPIQ's socket and logging settings (TCP_NODELAY,
identifier pretty-printing off) and nothing else.

Usage: python benchmarks/example_scp.py FOLDER PORT_FILE [--tuned]
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

from pydicom import dcmread
from pydicom.dataset import Dataset
from pynetdicom import AE, evt

GENERAL_RPI = "1.2.840.10008.5.1.4.37.1"


COPIED = (
    "PatientName",
    "PatientID",
    "ValueType",
    "ConceptNameCodeSequence",
    "ContentSequence",
)


def create_template(inst: Dataset, request: Dataset) -> Dataset:
    """Shape the matched instance as the requested template's answer.

    The example leaves this user-defined; like a careful pynetdicom user we
    copy the stored elements as read (still raw), so pydicom can send them
    without re-encoding when the negotiated transfer syntax matches the file's.
    """
    ds = Dataset()
    implicit, little_endian = inst.original_encoding
    ds.set_original_encoding(implicit, little_endian, inst.original_character_set)
    for keyword in COPIED:
        ds[keyword] = inst.get_item(keyword)
    ds.ContentTemplateSequence = request.ContentTemplateSequence
    return ds


def make_handler(fdir: str):
    def handle_find(event):
        ds = event.identifier
        instances = []
        for fpath in os.listdir(fdir):
            instances.append(dcmread(os.path.join(fdir, fpath)))
        matching = [inst for inst in instances if inst.PatientID == ds.PatientID]
        if len(matching) == 1:
            yield (0xFF00, create_template(matching[0], ds))
        elif len(matching) > 1:
            yield (0xC100, None)

    return handle_find


def main() -> None:
    folder, port_file = sys.argv[1], sys.argv[2]
    handlers: list[Any] = [(evt.EVT_C_FIND, make_handler(folder))]
    if "--tuned" in sys.argv:
        from rpiq.core.net.tuning import TUNING_HANDLERS, configure_pynetdicom_logging

        configure_pynetdicom_logging()
        handlers.extend(TUNING_HANDLERS)
    ae = AE()
    ae.add_supported_context(GENERAL_RPI)
    server = ae.start_server(("127.0.0.1", 0), block=False, evt_handlers=handlers)
    assert server is not None
    with open(port_file + ".tmp", "w") as handle:
        handle.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    server.shutdown()


if __name__ == "__main__":
    main()
