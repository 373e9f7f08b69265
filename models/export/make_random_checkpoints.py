#!/usr/bin/python3
"""Random-weight checkpoints with the official key names, nesting and prefixes of every seed backbone.

    /usr/bin/python3 models/export/make_random_checkpoints.py --out DIR [--size tiny|full] [--classes N]

For the exporter's tests (tiny: width 128, depth 2, same layouts) and for benchmarks (full: the real sizes, e.g.
ViT-L/16 with 24 blocks; these take minutes to export). Writes one checkpoint per layout plus the head files,
the label file and, for RetiZero, a vocab.txt, and prints the export commands as JSON lines (family, checkpoint,
head, vocab, options).
"""
import argparse
import json
import math
import os
from argparse import Namespace

import torch

SIZES = {
    "tiny": {"mae": (16, 128, 2, 512), "d2": (14, 128, 2, 512), "bert": (128, 3, 256, 64), "proj": 64},
    "full": {"mae": (16, 1024, 24, 4096), "d2": (14, 384, 12, 1536), "bert": (768, 12, 3072, 512), "proj": 512},
}
DINOV2 = {"s": (14, 384, 12, 1536), "b": (14, 768, 12, 3072), "l": (14, 1024, 24, 4096)}
WORDS = ("a fundus photograph of normal diabetic retinopathy mild moderate severe proliferative non age related macular "
         "degeneration glaucoma retinal vein artery occlusion central serous chorio detachment hole membrane epi "
         "pathologic myopia hypertensive neovascular optic neuropathy with the and in of").split()


class Rand:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def __call__(self, *shape, std=0.02):
        return torch.randn(*shape, generator=self.g) * std


def vit_state(r, patch, dim, depth, hidden, tokens, layer_scale=False, qkv_name="attn.qkv", prefix=""):
    # the spread of the weights shrinks with the width so that attention stays as well conditioned at full size as
    # in the tiny models (saturated softmaxes would make any two correct runtimes disagree)
    k = math.sqrt(128 / dim)
    s = {prefix + "cls_token": r(1, 1, dim), prefix + "pos_embed": r(1, tokens, dim),
         prefix + "patch_embed.proj.weight": r(dim, 3, patch, patch, std=0.05), prefix + "patch_embed.proj.bias": r(dim)}
    for i in range(depth):
        b = f"{prefix}blocks.{i}."
        s.update({b + "norm1.weight": 1 + r(dim), b + "norm1.bias": r(dim),
                  b + qkv_name + ".weight": r(3 * dim, dim, std=0.2 * k), b + qkv_name + ".bias": r(3 * dim),
                  b + "attn.proj.weight": r(dim, dim, std=0.05 * k), b + "attn.proj.bias": r(dim),
                  b + "norm2.weight": 1 + r(dim), b + "norm2.bias": r(dim),
                  b + "mlp.fc1.weight": r(hidden, dim, std=0.05 * k), b + "mlp.fc1.bias": r(hidden),
                  b + "mlp.fc2.weight": r(dim, hidden, std=0.05 * k), b + "mlp.fc2.bias": r(dim)})
        if layer_scale:
            s[b + "ls1.gamma"] = 0.5 + r(dim, std=0.1)
            s[b + "ls2.gamma"] = 0.5 + r(dim, std=0.1)
    return s


def mae_decoder(r, dim):
    s = {"mask_token": r(1, 1, 64), "decoder_embed.weight": r(64, dim), "decoder_embed.bias": r(64),
         "decoder_pos_embed": r(1, 197, 64), "decoder_norm.weight": torch.ones(64), "decoder_norm.bias": torch.zeros(64),
         "decoder_pred.weight": r(768, 64), "decoder_pred.bias": r(768)}
    s.update({f"decoder_blocks.0.norm1.{n}": torch.ones(64) for n in ("weight", "bias")})
    return s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--size", choices=sorted(SIZES), default="tiny")
    p.add_argument("--classes", type=int, default=5)
    p.add_argument("--dinov2", choices=sorted(DINOV2), help="full size only: which DINOv2 (default s)")
    p.add_argument("--only", help="write only the checkpoints whose file name contains this text")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    sz = dict(SIZES[a.size])
    if a.dinov2 and a.size == "full":
        sz["d2"] = DINOV2[a.dinov2]
    real_save = torch.save

    def save(obj, path):
        if a.only is None or a.only in os.path.basename(path) or not path.endswith(".pth") \
                or os.path.basename(path).startswith(("retfound_mae_head", "dinov2_linear_head", "retfound_dinov2_head")):
            real_save(obj, path)
    torch.save = save
    c = a.classes
    r = Rand(11)
    out = lambda n: os.path.join(a.out, n)  # noqa: E731
    jobs = []

    names = ["Normal fundus", "Diabetic retinopathy", "Glaucoma", "Age-related macular degeneration",
             "Retinal vein occlusion", "Pathologic myopia", "Retinal detachment", "Macular hole"]
    with open(out("labels.csv"), "w", encoding="utf-8") as f:
        f.write("code,name\n")
        for i in range(c):
            f.write(f"C{i},{names[i % len(names)]}{'' if i < len(names) else ' ' + str(i)}\n")

    # RETFound-MAE: fine-tuned (old and new code), --cls_token, and the pre-trained encoder with a linear-probe head
    patch, dim, depth, hidden = sz["mae"]
    grid = 224 // patch
    base = vit_state(r, patch, dim, depth, hidden, 1 + grid * grid)
    ft = dict(base, **{"fc_norm.weight": 1 + r(dim), "fc_norm.bias": r(dim), "head.weight": r(c, dim, std=0.3),
                       "head.bias": r(c)})
    torch.save({"model": ft, "epoch": 9, "args": Namespace(model="vit_large_patch16", global_pool=True)},
               out("retfound_mae_finetuned_timm03.pth"))
    jobs.append({"family": "retfound-mae", "checkpoint": out("retfound_mae_finetuned_timm03.pth")})
    torch.save({"model": ft, "epoch": 9, "args": Namespace(model="RETFound_mae", global_pool=True)},
               out("retfound_mae_finetuned_timm09.pth"))
    jobs.append({"family": "retfound-mae", "checkpoint": out("retfound_mae_finetuned_timm09.pth")})
    cls = dict(base, **{"norm.weight": 1 + r(dim), "norm.bias": r(dim), "head.weight": r(c, dim, std=0.3), "head.bias": r(c)})
    torch.save({"model": cls, "epoch": 9, "args": Namespace(model="RETFound_mae", global_pool=False)},
               out("retfound_mae_finetuned_cls.pth"))
    jobs.append({"family": "retfound-mae", "checkpoint": out("retfound_mae_finetuned_cls.pth"), "options": ["--cls-token"]})
    pre = dict(base, **{"norm.weight": 1 + r(dim), "norm.bias": r(dim)}, **mae_decoder(r, dim))
    torch.save({"model": pre}, out("RETFound_mae_natureCFP.pth"))
    torch.save({"weight": r(c, dim, std=0.3), "bias": r(c)}, out("retfound_mae_head.pth"))
    jobs.append({"family": "retfound-mae", "checkpoint": out("RETFound_mae_natureCFP.pth"),
                 "head": out("retfound_mae_head.pth"), "options": ["--fc-norm", "single"]})

    # DINOv2 hub checkpoints (flat, pos_embed for 518 px = 37x37), with and without 4 registers, + linear heads
    patch, dim, depth, hidden = sz["d2"]
    for reg in (0, 4):
        s = vit_state(r, patch, dim, depth, hidden, 1 + 37 * 37, layer_scale=True)
        s.update({"norm.weight": 1 + r(dim), "norm.bias": r(dim), "mask_token": r(1, dim)})
        if reg:
            s["register_tokens"] = r(1, reg, dim)
        letter = (a.dinov2 or "s") if a.size == "full" else "s"
        name = f"dinov2_vit{letter}14{'_reg4' if reg else ''}_pretrain.pth"
        torch.save(s, out(name))
        head = f"dinov2_linear_head{'_reg4' if reg else ''}.pth"
        torch.save({"weight": r(c, 2 * dim, std=0.3), "bias": r(c)}, out(head))
        jobs.append({"family": "dinov2", "checkpoint": out(name), "head": out(head)})

    # RETFound-DINOv2: the released teacher (backbone. prefix, dino/ibot heads) + head, and a fine-tuned 'model'
    d = sz["mae"][1]
    teacher = {"backbone." + k: v for k, v in vit_state(r, 14, d, sz["mae"][2], sz["mae"][3], 1 + 37 * 37, layer_scale=True).items()}
    teacher.update({"backbone.norm.weight": 1 + r(d), "backbone.norm.bias": r(d), "backbone.mask_token": r(1, d),
                    "dino_head.mlp.0.weight": r(64, d), "dino_head.mlp.0.bias": r(64),
                    "dino_head.last_layer.weight_g": r(256, 1), "dino_head.last_layer.weight_v": r(256, 64),
                    "ibot_head.mlp.0.weight": r(64, d), "ibot_head.mlp.0.bias": r(64)})
    torch.save({"teacher": teacher}, out("RETFound_dinov2_meh.pth"))
    torch.save({"weight": r(c, d, std=0.3), "bias": r(c)}, out("retfound_dinov2_head.pth"))
    jobs.append({"family": "retfound-dinov2", "checkpoint": out("RETFound_dinov2_meh.pth"), "head": out("retfound_dinov2_head.pth")})
    ftd = vit_state(r, 14, d, sz["mae"][2], sz["mae"][3], 1 + 16 * 16, layer_scale=True)
    ftd.update({"norm.weight": 1 + r(d), "norm.bias": r(d), "head.weight": r(c, d, std=0.3), "head.bias": r(c)})
    torch.save({"model": ftd, "epoch": 3, "args": Namespace(model="RETFound_dinov2")}, out("retfound_dinov2_finetuned.pth"))
    jobs.append({"family": "retfound-dinov2", "checkpoint": out("retfound_dinov2_finetuned.pth")})

    # RetiZero: LoRA ViT + BERT text tower + projections + logit_scale, and a WordPiece vocabulary
    patch, dim, depth, hidden = sz["mae"]
    th, tl, ti, tp = sz["bert"]
    vocab = ["[PAD]"] + [f"[unused{i}]" for i in range(3)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += list(".,-()'") + WORDS + ["##s", "##al", "##ic", "##ar", "##y", "##e", "##ed"] + list("abcdefghijklmnopqrstuvwxyz")
    vocab += [f"##{ch}" for ch in "abcdefghijklmnopqrstuvwxyz"]
    vocab = list(dict.fromkeys(vocab))
    with open(out("vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    z = {"vision_model.model.lora_vit." + k: v for k, v in
         vit_state(r, patch, dim, depth, hidden, 1 + (224 // patch) ** 2, qkv_name="attn.qkv.qkv").items()}
    for i in range(depth):
        b = f"vision_model.model.lora_vit.blocks.{i}.attn.qkv."
        z.update({b + "linear_a_q.weight": r(8, dim, std=0.1), b + "linear_b_q.weight": r(dim, 8, std=0.1),
                  b + "linear_a_v.weight": r(8, dim, std=0.1), b + "linear_b_v.weight": r(dim, 8, std=0.1)})
    z.update({"vision_model.model.lora_vit.norm.weight": 1 + r(dim), "vision_model.model.lora_vit.norm.bias": r(dim),
              "vision_model.projection_head_vision.projection.weight": r(sz["proj"], dim, std=0.1),
              "text_model.projection_head_text.projection.weight": r(sz["proj"], th, std=0.1),
              "logit_scale": torch.tensor(math.log(1 / 0.07))})
    t = "text_model.model."
    z.update({t + "embeddings.word_embeddings.weight": r(len(vocab), th, std=0.5),
              t + "embeddings.position_embeddings.weight": r(tp, th, std=0.1),
              t + "embeddings.token_type_embeddings.weight": r(2, th, std=0.1),
              t + "embeddings.LayerNorm.weight": 1 + r(th), t + "embeddings.LayerNorm.bias": r(th),
              t + "embeddings.position_ids": torch.arange(tp).unsqueeze(0),
              t + "pooler.dense.weight": r(th, th), t + "pooler.dense.bias": r(th)})
    for i in range(tl):
        b = f"{t}encoder.layer.{i}."
        for n in ("query", "key", "value"):
            z[b + f"attention.self.{n}.weight"] = r(th, th, std=0.1)
            z[b + f"attention.self.{n}.bias"] = r(th)
        z.update({b + "attention.output.dense.weight": r(th, th, std=0.1), b + "attention.output.dense.bias": r(th),
                  b + "attention.output.LayerNorm.weight": 1 + r(th), b + "attention.output.LayerNorm.bias": r(th),
                  b + "intermediate.dense.weight": r(ti, th, std=0.1), b + "intermediate.dense.bias": r(ti),
                  b + "output.dense.weight": r(th, ti, std=0.1), b + "output.dense.bias": r(th),
                  b + "output.LayerNorm.weight": 1 + r(th), b + "output.LayerNorm.bias": r(th)})
    torch.save(z, out("RetiZero.pth"))
    jobs.append({"family": "retizero", "checkpoint": out("RetiZero.pth"), "vocab": out("vocab.txt")})

    torch.save = real_save
    jobs = [j for j in jobs if a.only is None or a.only in os.path.basename(j["checkpoint"])]
    for j in jobs:
        j.setdefault("head", None)
        j.setdefault("vocab", None)
        j.setdefault("options", [])
        j["labels"] = out("labels.csv")
        print(json.dumps(j))


if __name__ == "__main__":
    main()
