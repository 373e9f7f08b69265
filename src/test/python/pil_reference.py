#!/usr/bin/python3
"""Reference preprocessing with Pillow and PyTorch, for FundusLens's Java Preprocessor tests.

    pil_reference.py RAW_IN WIDTH HEIGHT MODE RESIZE INTERP CROP OUT_PREFIX

RAW_IN holds WIDTH*HEIGHT*3 bytes of RGB (the pixels Java decoded, so only the resampling is compared).
MODE is shorter-side or square; INTERP bicubic or bilinear; CROP the centre-crop size (0 for none).
Writes OUT_PREFIX.rgb (the resized, cropped 8-bit image) and OUT_PREFIX.f32 (the normalised CHW tensor,
little-endian float32, ImageNet mean and std) computed exactly as torchvision's Resize, CenterCrop,
ToTensor and Normalize do it.
"""
import sys

import numpy as np
from PIL import Image

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def main():
    raw, w, h, mode, size, interp, crop, out = sys.argv[1:9]
    w, h, size, crop = int(w), int(h), int(size), int(crop)
    img = Image.frombytes("RGB", (w, h), open(raw, "rb").read())
    resample = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}[interp]
    if mode == "square":
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
    open(out + ".rgb", "wb").write(arr.tobytes())
    try:
        import torch
        t = torch.from_numpy(arr.copy()).permute(2, 0, 1).contiguous().float().div(255)
        mean = torch.tensor(MEAN, dtype=torch.float32).view(3, 1, 1)
        std = torch.tensor(STD, dtype=torch.float32).view(3, 1, 1)
        t = t.sub(mean).div(std)
        tensor = t.numpy()
    except ImportError:
        a = arr.astype(np.float32).transpose(2, 0, 1) / np.float32(255)
        tensor = (a - np.array(MEAN, np.float32).reshape(3, 1, 1)) / np.array(STD, np.float32).reshape(3, 1, 1)
    np.ascontiguousarray(tensor, dtype="<f4").tofile(out + ".f32")


if __name__ == "__main__":
    main()
