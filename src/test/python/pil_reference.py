#!/usr/bin/python3
"""Reference preprocessing with Pillow and PyTorch, for FundusLens's Java Preprocessor tests.

Reads JSON lines on stdin, one job each:
  {"source": FILE or null, "raw": RAW_RGB_FILE or null, "width": W, "height": H,
   "mode": "shorter-side" | "square", "size": S, "interp": "bicubic" | "bilinear", "crop": C (0 for none),
   "out": PREFIX}
With "source", Pillow decodes the file itself (Image.open(...).convert("RGB"), as the upstream loaders do); with
"raw", the pixels Java decoded are used, so that only the resampling is compared. Writes PREFIX.rgb (the resized,
cropped 8-bit image) and PREFIX.f32 (the normalised CHW tensor, little-endian float32, ImageNet mean and std)
computed exactly as torchvision's Resize, CenterCrop, ToTensor and Normalize do, and prints "ok PREFIX".
"""
import json
import sys

import numpy as np
from PIL import Image

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def run(job):
    if job.get("source"):
        img = Image.open(job["source"]).convert("RGB")
    else:
        img = Image.frombytes("RGB", (job["width"], job["height"]), open(job["raw"], "rb").read())
    w, h = img.size
    size, crop = job["size"], job["crop"]
    resample = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}[job["interp"]]
    if job["mode"] == "square":
        ow, oh = size, size
    elif w <= h:
        ow, oh = size, int(size * h / w)
    else:
        ow, oh = int(size * w / h), size
    img = img.resize((ow, oh), resample)
    if crop:
        top = int(round((oh - crop) / 2.0))
        left = int(round((ow - crop) / 2.0))
        img = img.crop((left, top, left + crop, top + crop))
    arr = np.asarray(img, dtype=np.uint8)
    open(job["out"] + ".rgb", "wb").write(arr.tobytes())
    try:
        import torch
        t = torch.from_numpy(arr.copy()).permute(2, 0, 1).contiguous().float().div(255)
        t = t.sub(torch.tensor(MEAN, dtype=torch.float32).view(3, 1, 1)).div(torch.tensor(STD, dtype=torch.float32).view(3, 1, 1))
        tensor = t.numpy()
    except ImportError:
        a = arr.astype(np.float32).transpose(2, 0, 1) / np.float32(255)
        tensor = (a - np.array(MEAN, np.float32).reshape(3, 1, 1)) / np.array(STD, np.float32).reshape(3, 1, 1)
    np.ascontiguousarray(tensor, dtype="<f4").tofile(job["out"] + ".f32")


def main():
    for line in sys.stdin:
        if line.strip():
            job = json.loads(line)
            run(job)
            print("ok " + job["out"], flush=True)


if __name__ == "__main__":
    main()
