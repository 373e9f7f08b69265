#!/usr/bin/python3
"""Writes the FundusLens demo bundle (models/demo): a tiny RETFound-MAE-shaped ViT with random weights.

The checkpoint it makes has the official RETFound fine-tuned layout ('model' with timm key names,
'args' naming the code version) at a tiny size, and goes through the same exporter as real checkpoints.

    /usr/bin/python3 models/export/make_demo.py [--out models/demo]
"""
import argparse
import os
import sys
import tempfile
from argparse import Namespace

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export  # noqa: E402

PATCH, WIDTH, DEPTH, MLP, GRID = 16, 128, 2, 256, 14


def sincos_pos_embed(dim, grid):
    """MAE's fixed 2-D sine-cosine position embedding with a zero CLS row."""
    gh, gw = np.meshgrid(np.arange(grid, dtype=np.float64), np.arange(grid, dtype=np.float64))
    def one(d, pos):
        omega = 1.0 / 10000 ** (np.arange(d // 2, dtype=np.float64) / (d / 2.0))
        out = np.einsum("m,d->md", pos.reshape(-1), omega)
        return np.concatenate([np.sin(out), np.cos(out)], axis=1)
    emb = np.concatenate([one(dim // 2, gh), one(dim // 2, gw)], axis=1)
    emb = np.concatenate([np.zeros([1, dim]), emb], axis=0)
    return torch.from_numpy(emb).float().unsqueeze(0)


def demo_state(classes, seed=7):
    g = torch.Generator().manual_seed(seed)
    def rnd(*shape, std=0.02):
        return torch.randn(*shape, generator=g) * std
    s = {"cls_token": rnd(1, 1, WIDTH), "pos_embed": sincos_pos_embed(WIDTH, GRID),
         "patch_embed.proj.weight": rnd(WIDTH, 3, PATCH, PATCH, std=0.05), "patch_embed.proj.bias": rnd(WIDTH)}
    for i in range(DEPTH):
        b = f"blocks.{i}."
        s.update({b + "norm1.weight": torch.ones(WIDTH), b + "norm1.bias": torch.zeros(WIDTH),
                  b + "attn.qkv.weight": rnd(3 * WIDTH, WIDTH, std=0.25), b + "attn.qkv.bias": rnd(3 * WIDTH),
                  b + "attn.proj.weight": rnd(WIDTH, WIDTH, std=0.05), b + "attn.proj.bias": rnd(WIDTH),
                  b + "norm2.weight": torch.ones(WIDTH), b + "norm2.bias": torch.zeros(WIDTH),
                  b + "mlp.fc1.weight": rnd(MLP, WIDTH, std=0.05), b + "mlp.fc1.bias": rnd(MLP),
                  b + "mlp.fc2.weight": rnd(WIDTH, MLP, std=0.05), b + "mlp.fc2.bias": rnd(WIDTH)})
    s.update({"fc_norm.weight": torch.ones(WIDTH), "fc_norm.bias": torch.zeros(WIDTH),
              "head.weight": rnd(classes, WIDTH, std=0.15), "head.bias": rnd(classes, std=0.3)})
    # the MAE pre-training leftovers that released checkpoints carry and the exporter must ignore
    s["mask_token"] = rnd(1, 1, 64)
    return s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.join(HERE, "..", "demo"))
    p.add_argument("--no-verify", action="store_true")
    p.add_argument("--seed", type=int, default=7, help="another seed gives another random backbone (e.g. to try comparing two)")
    p.add_argument("--id", default="funduslens-demo-tiny-vit")
    p.add_argument("--name", default="FundusLens demo (tiny ViT, random weights)")
    a = p.parse_args()
    labels_file = os.path.join(HERE, "demo_labels.csv")
    classes = len(export.read_labels(labels_file))
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = os.path.join(tmp, "funduslens-demo-random.pth")
        torch.save({"model": demo_state(classes, a.seed), "epoch": 0, "args": Namespace(model="vit_large_patch16")}, ckpt)
        verify = [] if export.find_jar() and not a.no_verify else ["--no-verify"]  # the demo is made before the first build, too
        return export.main(["--family", "retfound-mae", *verify, "--checkpoint", ckpt, "--labels", labels_file,
                            "--out", os.path.abspath(a.out), "--id", a.id,
                            "--name", a.name, "--demo",
                            "--licence", "CC0-1.0 (random weights made by FundusLens)",
                            "--intended-use", "Trying the application only. Random weights: the output means nothing."])


if __name__ == "__main__":
    sys.exit(main())
