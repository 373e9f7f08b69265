#!/usr/bin/python3
"""Reference pixels for FundusLens's DICOM decoder tests, made by other tools.

Reads JSON lines on stdin: {"file": DICOM, "out": PREFIX}. Compressed files are first decompressed by dcmtk
(dcmdjpeg, which also converts YBR to RGB; dcmdrle) or, for JPEG 2000 which dcmtk cannot decode, by GDCM
(gdcmconv --raw). pydicom then reads the uncompressed pixels; YBR that is still YBR is converted to RGB with
pydicom's convert_color_space. Writes PREFIX.i32 (all frames, int32 little-endian, frames x rows x columns x
samples) and prints one line: "ok PREFIX frames rows columns samples tool" or "skip PREFIX reason".
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pydicom

TOOLS = {
    "1.2.840.10008.1.2.4.50": ["dcmdjpeg"], "1.2.840.10008.1.2.4.51": ["dcmdjpeg"],
    "1.2.840.10008.1.2.4.57": ["dcmdjpeg"], "1.2.840.10008.1.2.4.70": ["dcmdjpeg"],
    "1.2.840.10008.1.2.5": ["dcmdrle"],
    "1.2.840.10008.1.2.4.90": ["gdcmconv", "--raw"], "1.2.840.10008.1.2.4.91": ["gdcmconv", "--raw"],
    "1.2.840.10008.1.2.4.80": ["dcmdjpls"], "1.2.840.10008.1.2.4.81": ["dcmdjpls"],
}


def reference(path, out):
    ds = pydicom.dcmread(path, force=True)
    if "PixelData" not in ds:
        return "skip no pixel data"
    ts = str(ds.file_meta.TransferSyntaxUID) if "TransferSyntaxUID" in ds.get("file_meta", {}) else "1.2.840.10008.1.2"
    tool = "pydicom"
    if ts in TOOLS:
        tmp = tempfile.mktemp(suffix=".dcm")
        cmd = TOOLS[ts] + [path, tmp]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0 or not os.path.exists(tmp):
            return "skip " + TOOLS[ts][0] + " cannot decode it: " + (p.stderr or p.stdout).strip().splitlines()[-1:][0] \
                if (p.stderr or p.stdout).strip() else "skip " + TOOLS[ts][0] + " failed"
        ds = pydicom.dcmread(tmp, force=True)
        os.remove(tmp)
        tool = TOOLS[ts][0]
    try:
        arr = ds.pixel_array
    except Exception as e:  # noqa: BLE001
        return f"skip pydicom cannot read the pixels: {e}"
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    spp = int(ds.SamplesPerPixel)
    arr = np.asarray(arr)
    pi = str(ds.PhotometricInterpretation)
    if spp == 3 and pi.startswith("YBR") and pi not in ("YBR_RCT", "YBR_ICT"):
        from pydicom.pixel_data_handlers.util import convert_color_space
        arr = convert_color_space(arr, "YBR_FULL", "RGB")
    rows, cols = int(ds.Rows), int(ds.Columns)
    arr = arr.reshape(frames, rows, cols, spp).astype("<i4")
    arr.tofile(out + ".i32")
    return f"ok {frames} {rows} {cols} {spp} {tool}"


def main():
    for line in sys.stdin:
        if line.strip():
            job = json.loads(line)
            try:
                r = reference(job["file"], job["out"])
            except Exception as e:  # noqa: BLE001
                r = f"skip reference failed: {e.__class__.__name__}: {e}"
            print(r.split(" ", 1)[0] + " " + job["out"] + " " + (r.split(" ", 1)[1] if " " in r else ""), flush=True)


if __name__ == "__main__":
    main()
