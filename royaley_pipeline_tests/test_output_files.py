"""Output files: refused before any work when they cannot be written, replaced atomically when they can."""

import json
import os
import stat

import pytest

from royaley_pipeline.output_files import UnwritableOutputError, check_writable, write_json_atomically


def test_parent_folders_are_created_and_the_file_is_replaced_whole(tmp_path):
    target = tmp_path / "predictions" / "2024" / "slate.json"
    assert check_writable(target) == target
    assert target.parent.is_dir() and list(target.parent.iterdir()) == []  # the probe is gone
    write_json_atomically(target, {"predictions": [1, 2]})
    write_json_atomically(target, {"predictions": [3]})
    assert json.loads(target.read_text()) == {"predictions": [3]}
    assert [path.name for path in target.parent.iterdir()] == ["slate.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_folder_or_an_unwritable_place_is_refused(tmp_path):
    with pytest.raises(UnwritableOutputError, match="is a folder"):
        check_writable(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UnwritableOutputError, match="cannot write there"):
        check_writable(blocker / "slate.json")  # its "folder" is a file
    if os.geteuid() != 0:  # root writes anywhere; the file-as-folder case above covers it
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(UnwritableOutputError, match="cannot write there"):
            check_writable(locked / "slate.json")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "slate.json"
    write_json_atomically(target, {"v": 1})
    with pytest.raises(TypeError):
        write_json_atomically(target, {"v": object()})
    assert json.loads(target.read_text()) == {"v": 1}
    assert [path.name for path in tmp_path.iterdir()] == ["slate.json"]
