"""RetiZero (LooKing9218/RetiZero): a RETFound-MAE ViT-L/16 with LoRA on q and v, a Bio_ClinicalBERT text tower,
and CLIP-style zero-shot scoring over a label list.

Export: the LoRA deltas are merged into qkv (W_q += B_q A_q, W_v += B_v A_v; no scaling), the image embedding is
CLS after the final norm -> L2 -> projection (no bias) -> L2, and the label prompts' text embeddings are computed
here, in PyTorch, exactly as RetiZero's `forward` does (all prompts tokenised together, padded to the longest,
hidden states 1, 2 and last averaged over every position including padding, then the projection). The ONNX graph
holds them as a constant: logits = exp(clamp(logit_scale, 0, 4.6052)) * image . text^T.
"""
import numpy as np
import torch
import torch.nn as nn

import wordpiece
from bert import BertModel
from families import (ExportError, Exportable, block_keys, check_keys, check_shapes, retizero_recipe, square_grid,
                      vit_dims)
from vit import HEAD_DIM, ViT

VISION = "vision_model.model.lora_vit."
TEXT = "text_model.model."
TEMPLATE = "A fundus photograph of [CLS]"
LOGIT_SCALE_MAX = 4.6052


def l2(x):
    return x / x.norm(dim=-1, keepdim=True)


class RetiZeroImage(nn.Module):
    def __init__(self, vit, dim, proj_dim, text_embeddings, logit_scale):
        super().__init__()
        self.vit = vit
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.projection = nn.Linear(dim, proj_dim, bias=False)
        self.register_buffer("text", text_embeddings)
        self.register_buffer("scale", torch.tensor(float(logit_scale)))

    def forward(self, pixel_values):
        x, attn = self.vit.tokens(pixel_values)
        emb = l2(self.projection(l2(self.norm(x)[:, 0])))
        logits = self.scale * emb @ self.text.t()
        return logits, self.vit.cls_attention(attn), emb


def text_embeddings(bert, projection, vocab, labels, where, lower=True):
    """One 512-d embedding per label; with descriptions, the mean over [descriptions..., name] (FLAIR's rule)."""
    def embed(prompts):
        ids, mask = wordpiece.encode_batch(prompts, vocab, 77, lower)
        states = bert.hidden_states(torch.tensor(ids), torch.tensor(mask))
        h = torch.stack([states[1], states[2], states[-1]]).permute(1, 0, 2, 3).mean(2).mean(1)
        return l2(projection(l2(h)))

    with torch.no_grad():
        if any("description" in label for label in labels):
            rows = []
            for label in labels:
                descriptions = [d.strip() for d in label.get("description", "").split("|") if d.strip()]
                if label["name"] not in descriptions:
                    descriptions.append(label["name"])
                rows.append(embed([TEMPLATE.replace("[CLS]", d) for d in descriptions]).mean(0))
            return torch.stack(rows), "per label: the mean over its descriptions and its name, each in the template"
        return embed([TEMPLATE.replace("[CLS]", label["name"]) for label in labels]), \
            "all label prompts tokenised together, padded to the longest"


def build_retizero(ckpt, head_file, labels, where, options):
    if head_file:
        raise ExportError(f"{head_file}: RetiZero is zero-shot; it takes a label list, not a head")
    if not isinstance(ckpt, dict) or "logit_scale" not in ckpt:
        raise ExportError(f"{where}: expected RetiZero's flat state dict (with logit_scale)")
    vocab_file = options.get("vocab")
    if not vocab_file:
        raise ExportError("--vocab FILE is needed: the Bio_ClinicalBERT vocab.txt that the text tower was trained with")
    try:
        vocab = wordpiece.load_vocab(vocab_file)
    except (OSError, ValueError) as e:
        raise ExportError(f"{vocab_file}: {e}")

    vision = {k[len(VISION):]: v for k, v in ckpt.items() if k.startswith(VISION)}
    text = {k[len(TEXT):]: v for k, v in ckpt.items() if k.startswith(TEXT)}
    depth, dim, patch, tokens, hidden = vit_dims(vision, where)
    grid = square_grid(tokens, 1, where)
    try:
        bert = BertModel.from_state(text, where)
    except ValueError as e:
        raise ExportError(str(e))

    lora = {f"blocks.{i}.attn.qkv.{n}.weight" for i in range(depth) for n in ("linear_a_q", "linear_b_q", "linear_a_v", "linear_b_v")}
    vit_keys = {"cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias", "norm.weight", "norm.bias"}
    vit_keys |= {k.replace("attn.qkv.", "attn.qkv.qkv.") for k in block_keys(depth)} | lora
    bert_keys = set(bert.state_dict().keys())
    expected = {"logit_scale", "vision_model.projection_head_vision.projection.weight",
                "text_model.projection_head_text.projection.weight"}
    expected |= {VISION + k for k in vit_keys} | {TEXT + k for k in bert_keys}
    ignored = check_keys(ckpt, expected, [TEXT + "embeddings.position_ids"], where)
    if len(vocab) != text["embeddings.word_embeddings.weight"].shape[0]:
        raise ExportError(f"{vocab_file}: {len(vocab)} tokens, but the text tower's vocabulary has "
                          f"{text['embeddings.word_embeddings.weight'].shape[0]}")

    # every vision key must have the shape a ViT of these dimensions needs (LoRA: rank x width and width x rank)
    vit = ViT(patch, dim, depth, hidden, grid)
    reference = vit.state_dict()
    rank = vision["blocks.0.attn.qkv.linear_a_q.weight"].shape[0]
    for k, v in vision.items():
        if k in lora:
            want = (rank, dim) if ".linear_a_" in k else (dim, rank)
        elif k.startswith("norm."):
            want = (dim,)
        else:
            want = tuple(reference[k.replace("attn.qkv.qkv.", "attn.qkv.")].shape)
        if tuple(v.shape) != want:
            raise ExportError(f"{where}: key {VISION}{k} has shape {tuple(v.shape)}, expected {want}")

    # merge LoRA into qkv
    merged = {}
    for k in vit_keys - lora:
        merged[k.replace("attn.qkv.qkv.", "attn.qkv.")] = vision[k].clone()
    for i in range(depth):
        p = f"blocks.{i}.attn.qkv."
        w = merged[p + "weight"]
        if w.shape != (3 * dim, dim):
            raise ExportError(f"{where}: key {VISION}{p}qkv.weight has shape {tuple(w.shape)}, expected {(3 * dim, dim)}")
        w[:dim] += vision[p + "linear_b_q.weight"] @ vision[p + "linear_a_q.weight"]
        w[2 * dim:] += vision[p + "linear_b_v.weight"] @ vision[p + "linear_a_v.weight"]

    text_proj_w = ckpt["text_model.projection_head_text.projection.weight"]
    vision_proj_w = ckpt["vision_model.projection_head_vision.projection.weight"]
    check_shapes({k: v for k, v in text.items() if k in bert_keys}, bert.state_dict(), where)
    bert.load_state_dict({k: v for k, v in text.items() if k in bert_keys}, strict=True)
    bert.eval()
    text_projection = nn.Linear(text_proj_w.shape[1], text_proj_w.shape[0], bias=False)
    text_projection.weight.data.copy_(text_proj_w)
    if vision_proj_w.shape[0] != text_proj_w.shape[0] or vision_proj_w.shape[1] != dim:
        raise ExportError(f"{where}: projection shapes {tuple(vision_proj_w.shape)} and {tuple(text_proj_w.shape)} do not fit")
    txt, how = text_embeddings(bert, text_projection, vocab, labels, where, lower=not options.get("cased"))

    scale = float(torch.exp(torch.clamp(ckpt["logit_scale"].detach().float(), 0, LOGIT_SCALE_MAX)))
    model = RetiZeroImage(vit, dim, vision_proj_w.shape[0], txt.float(), scale)
    state = {("vit." + k if not k.startswith("norm.") else k): v for k, v in merged.items()}
    state["projection.weight"] = vision_proj_w
    state["text"] = txt.float()
    state["scale"] = torch.tensor(scale)
    check_shapes(state, model.state_dict(), where)
    model.load_state_dict(state, strict=True)

    def write_text(path):
        np.ascontiguousarray(txt.numpy().astype("<f4")).tofile(path)

    backbone = {"family": "retizero", "architecture": f"vit-p{patch}-d{dim}-l{depth}+lora(q,v)+bert-l{len(bert.encoder.layer)}",
                "patch": patch, "width": dim, "depth": depth, "heads": dim // HEAD_DIM, "registers": 0, "grid": grid,
                "pooling": "cls + norm -> L2 -> projection -> L2"}
    extra = {"zero_shot": {"template": TEMPLATE, "prompts": how, "logit_scale": scale,
                           "text_embeddings": {"file": "text_embeddings.f32", "shape": list(txt.shape)}}}
    heat = {"attention": "last-block CLS attention, mean over heads (class-agnostic); zero-shot scores have no exact patch split"}
    return Exportable(model, ["logits", "cls_attention", "embedding"], retizero_recipe(), backbone, ignored,
                      task="zero-shot", heatmaps=heat, extra_files={"text_embeddings.f32": write_text},
                      extra_manifest=extra)
