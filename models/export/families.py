"""The seed backbones: how each released checkpoint maps onto the plain-PyTorch ViT, and what the bundle outputs.

Every builder returns an Exportable: the module to export (its forward returns the outputs in `outputs` order),
the input recipe (the upstream evaluation transform), backbone facts, and the checkpoint keys it ignored.
Dimensions always come from the state dict's shapes, so small random checkpoints with the official layout export
exactly like the released ones.
"""
import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

from vit import HEAD_DIM, ViT

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


class ExportError(Exception):
    """A problem with the user's input: printed as one line, exit code 2."""


@dataclass
class Exportable:
    module: nn.Module
    outputs: list
    recipe: dict
    backbone: dict
    ignored: list
    task: str = "classification"
    heatmaps: dict = field(default_factory=dict)
    extra_files: dict = field(default_factory=dict)
    extra_manifest: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------------ helpers

def load_torch(path):
    try:
        return torch.load(path, map_location="cpu")
    except Exception as e:  # noqa: BLE001 - any unpickling problem is the file's problem
        raise ExportError(f"{path}: not a readable PyTorch checkpoint ({e.__class__.__name__}: {e})")


def block_keys(depth, layer_scale=False, prefix="blocks."):
    names = ["norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight",
             "attn.proj.bias", "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias",
             "mlp.fc2.weight", "mlp.fc2.bias"]
    if layer_scale:
        names += ["ls1.gamma", "ls2.gamma"]
    return {f"{prefix}{i}.{n}" for i in range(depth) for n in names}


def check_keys(state, expected, ignored_prefixes, where):
    """Strict: refuse unless the keys are exactly the expected ones plus known-unused ones (which are returned)."""
    keys = set(state.keys())
    missing = sorted(expected - keys)
    unexpected = sorted(k for k in keys - expected if not k.startswith(tuple(ignored_prefixes)))
    if missing or unexpected:
        def show(ks):
            return "[" + ", ".join(ks[:12]) + (", ..." if len(ks) > 12 else "") + "]"
        raise ExportError(f"{where}: the checkpoint does not have the expected keys; "
                          f"missing={show(missing)} unexpected={show(unexpected)}")
    return sorted(keys - expected)


def check_shapes(state, model_state, where, rename=lambda k: k):
    for k, v in state.items():
        target = model_state.get(rename(k))
        if target is not None and tuple(target.shape) != tuple(v.shape):
            raise ExportError(f"{where}: key {k} has shape {tuple(v.shape)}, expected {tuple(target.shape)}")


def vit_dims(state, where, prefix=""):
    """Depth, width, patch, tokens and MLP width from the shapes."""
    try:
        dim, _, patch, patch2 = state[prefix + "patch_embed.proj.weight"].shape
        tokens = state[prefix + "pos_embed"].shape[1]
        depth = 1 + max(int(k[len(prefix):].split(".")[1]) for k in state if k.startswith(prefix + "blocks."))
        hidden = state[prefix + "blocks.0.mlp.fc1.weight"].shape[0]
    except (KeyError, ValueError) as e:
        raise ExportError(f"{where}: not a ViT state dict (no {e})")
    if patch != patch2:
        raise ExportError(f"{where}: non-square patches {patch}x{patch2}")
    if dim % HEAD_DIM:
        raise ExportError(f"{where}: width {dim} is not a multiple of the 64-wide heads")
    return int(depth), int(dim), int(patch), int(tokens), int(hidden)


def square_grid(tokens, extra, where):
    g = int(round(math.sqrt(tokens - extra)))
    if g * g != tokens - extra:
        raise ExportError(f"{where}: pos_embed has {tokens} tokens, not {extra} + a square grid")
    return g


def retfound_recipe(size):
    """RETFound's build_transform for evaluation: crop_pct 224/256 up to 224, else 1; bicubic; ImageNet."""
    crop_pct = 224 / 256 if size <= 224 else 1.0
    return {"size": size,
            "resize": {"mode": "shorter-side", "size": int(size / crop_pct), "interpolation": "bicubic"},
            "crop": {"mode": "center", "size": size},
            "scale": 1 / 255, "mean": IMAGENET_MEAN, "std": IMAGENET_STD}


def dinov2_recipe():
    """DINOv2's make_classification_eval_transform: Resize(256, bicubic), CenterCrop(224), ImageNet."""
    return {"size": 224, "resize": {"mode": "shorter-side", "size": 256, "interpolation": "bicubic"},
            "crop": {"mode": "center", "size": 224}, "scale": 1 / 255, "mean": IMAGENET_MEAN, "std": IMAGENET_STD}


def retizero_recipe():
    """RetiZero / FLAIR: Resize((224, 224)) (torchvision's bilinear), ToTensor, ImageNet mean and std; no crop."""
    return {"size": 224, "resize": {"mode": "square", "size": 224, "interpolation": "bilinear"},
            "crop": {"mode": "none", "size": 224}, "scale": 1 / 255, "mean": IMAGENET_MEAN, "std": IMAGENET_STD}


def read_head(head_file, where_dim, classes_expected, in_features):
    head = load_torch(head_file)
    if isinstance(head, dict) and "state_dict" in head:
        head = head["state_dict"]
    if not isinstance(head, dict) or set(head) != {"weight", "bias"}:
        raise ExportError(f"{head_file}: a head file holds exactly 'weight' and 'bias' tensors")
    w, b = head["weight"], head["bias"]
    if w.dim() != 2 or w.shape[1] != in_features or b.shape != (w.shape[0],):
        raise ExportError(f"{head_file}: head weight {tuple(w.shape)} / bias {tuple(b.shape)} do not fit "
                          f"{in_features} input features")
    if w.shape[0] != classes_expected:
        raise ExportError(f"{head_file}: the head has {w.shape[0]} classes but the label file lists {classes_expected}")
    return w, b


def retfound_interpolate_pos_embed(pos_embed, grid, extra):
    """RETFound's util/pos_embed.interpolate_pos_embed: bicubic, align_corners=False, extra tokens kept."""
    old = int(round(math.sqrt(pos_embed.shape[1] - extra)))
    if old == grid:
        return pos_embed
    dim = pos_embed.shape[-1]
    tokens = pos_embed[:, extra:].reshape(-1, old, old, dim).permute(0, 3, 1, 2)
    tokens = F.interpolate(tokens.float(), size=(grid, grid), mode="bicubic", align_corners=False)
    return torch.cat((pos_embed[:, :extra], tokens.permute(0, 2, 3, 1).flatten(1, 2)), dim=1)


# ------------------------------------------------------------------------------------------------ RETFound (MAE)

class MeanPoolHead(nn.Module):
    """Mean of the patch tokens -> fc_norm (once or twice) -> head.

    Because every step after the mean is affine once LayerNorm's statistics of the pooled vector are fixed, the
    logits split exactly into per-patch logits whose mean is the logits: z_i = (x_i - mean_c(x_i)) / sigma(pooled),
    then the same affine maps per patch. `patch_logits` are therefore exact for this head.
    """

    def __init__(self, dim, classes, twice):
        super().__init__()
        self.fc_norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)
        self.twice = twice

    def forward(self, patches):
        pooled = patches.mean(dim=1)
        feat = self.fc_norm(pooled)
        if self.twice:
            feat = self.fc_norm(feat)
        logits = self.head(feat)
        eps = self.fc_norm.eps
        g, b = self.fc_norm.weight, self.fc_norm.bias
        sigma = torch.sqrt(pooled.var(dim=-1, unbiased=False, keepdim=True) + eps)      # (B, 1)
        z = (patches - patches.mean(dim=-1, keepdim=True)) / sigma.unsqueeze(1)          # (B, N, D)
        y = g * z + b
        if self.twice:
            y1 = g * ((pooled - pooled.mean(dim=-1, keepdim=True)) / sigma) + b          # first fc_norm output
            sigma2 = torch.sqrt(y1.var(dim=-1, unbiased=False, keepdim=True) + eps)
            y = g * ((y - y.mean(dim=-1, keepdim=True)) / sigma2.unsqueeze(1)) + b
        patch_logits = self.head(y)
        return logits, patch_logits, feat


class RetfoundMae(nn.Module):
    def __init__(self, vit, dim, classes, pooling, twice):
        super().__init__()
        self.vit = vit
        self.pooling = pooling
        if pooling == "mean":
            self.pool = MeanPoolHead(dim, classes, twice)
        else:
            self.norm = nn.LayerNorm(dim, eps=1e-6)
            self.head = nn.Linear(dim, classes)

    def forward(self, pixel_values):
        x, attn = self.vit.tokens(pixel_values)
        if self.pooling == "mean":
            logits, patch_logits, feat = self.pool(x[:, 1:, :])
            return logits, self.vit.cls_attention(attn), patch_logits, feat
        feat = self.norm(x)[:, 0]
        return self.head(feat), self.vit.cls_attention(attn), feat


def build_retfound_mae(ckpt, head_file, labels, where, options):
    if not isinstance(ckpt, dict) or "model" not in ckpt:
        raise ExportError(f"{where}: expected a RETFound checkpoint with a 'model' entry")
    state = dict(ckpt["model"])
    depth, dim, patch, tokens, hidden = vit_dims(state, where)
    if head_file:
        w, b = read_head(head_file, dim, len(labels), dim)
        state["head.weight"], state["head.bias"] = w, b
    grid = square_grid(tokens, 1, where)

    has_fc_norm = "fc_norm.weight" in state
    pooling = "cls" if options.get("cls_token") else "mean"
    if pooling == "mean" and not has_fc_norm:
        if not head_file:
            raise ExportError(f"{where}: no fc_norm and no head: a fine-tuned checkpoint, or --head, is needed")
        # a linear probe on the pre-trained encoder: fc_norm stays at its LayerNorm initialisation
        state["fc_norm.weight"], state["fc_norm.bias"] = torch.ones(dim), torch.zeros(dim)
    args = ckpt.get("args")
    code_model = options.get("fc_norm") or getattr(args, "model", None)
    if pooling == "mean":
        if code_model in ("RETFound_mae", "double"):
            twice = True
        elif code_model in ("vit_large_patch16", "single", None):
            # the timm-0.3 code (and the 2024 benchmark releases) apply fc_norm once
            twice = False
        else:
            raise ExportError(f"{where}: args.model is '{code_model}'; say --fc-norm single or double")
    else:
        twice = False

    expected = {"cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias",
                "head.weight", "head.bias"} | block_keys(depth)
    expected |= {"fc_norm.weight", "fc_norm.bias"} if pooling == "mean" else {"norm.weight", "norm.bias"}
    unused = ["mask_token", "decoder_"] + (["norm."] if pooling == "mean" else ["fc_norm."])
    ignored = check_keys(state, expected, unused, where)
    if state["head.weight"].shape[0] != len(labels):
        raise ExportError(f"{where}: the head has {state['head.weight'].shape[0]} classes but the label file lists {len(labels)}")

    vit = ViT(patch, dim, depth, hidden, grid)
    model = RetfoundMae(vit, dim, len(labels), pooling, twice)

    def rename(k):
        if k.startswith(("fc_norm.", "head.")) and pooling == "mean":
            return "pool." + k
        if k.startswith(("norm.", "head.")):
            return k
        return "vit." + k
    mapped = {rename(k): v for k, v in state.items() if k in expected}
    check_shapes(state, model.state_dict(), where, rename)
    model.load_state_dict({k: v for k, v in mapped.items()}, strict=True)
    backbone = {"family": "retfound-mae", "architecture": f"vit-p{patch}-d{dim}-l{depth}",
                "patch": patch, "width": dim, "depth": depth, "heads": dim // HEAD_DIM, "registers": 0, "grid": grid,
                "pooling": ("patch-mean + fc_norm" + (" x2" if twice else "")) if pooling == "mean" else "cls + norm"}
    outputs = ["logits", "cls_attention", "patch_logits", "embedding"] if pooling == "mean" else \
        ["logits", "cls_attention", "embedding"]
    heat = {"attention": "last-block CLS attention, mean over heads (class-agnostic)"}
    if pooling == "mean":
        heat["patch_logits"] = "exact: the mean of the patch logits is the logits"
    return Exportable(model, outputs, retfound_recipe(grid * patch), backbone, ignored, heatmaps=heat)


# ------------------------------------------------------------------------------------------------ DINOv2 family

def dinov2_pos_embed(pos_embed, grid, registers, offset=None, antialias=None):
    """The official interpolate_pos_encoding, computed once for a square input of grid x grid patches.

    Non-register models: bicubic with scale_factor (grid + 0.1) / M, no antialias; register models: size=(grid, grid),
    antialias=True (dinov2/hub/backbones.py). Computed in float32, the CLS position kept.
    """
    if offset is None:
        offset = 0.0 if registers else 0.1
    if antialias is None:
        antialias = bool(registers)
    n = pos_embed.shape[1] - 1
    m = int(round(math.sqrt(n)))
    if m == grid:
        return pos_embed
    dim = pos_embed.shape[-1]
    pe = pos_embed.float()
    patch = pe[:, 1:].reshape(1, m, m, dim).permute(0, 3, 1, 2)
    if offset:
        s = float(grid + offset) / m
        patch = F.interpolate(patch, mode="bicubic", antialias=antialias, scale_factor=(s, s))
    else:
        patch = F.interpolate(patch, mode="bicubic", antialias=antialias, size=(grid, grid))
    if tuple(patch.shape[-2:]) != (grid, grid):
        raise ExportError(f"position embedding interpolation gave {tuple(patch.shape[-2:])}, not {grid}x{grid}")
    patch = patch.permute(0, 2, 3, 1).reshape(1, -1, dim)
    return torch.cat((pe[:, :1], patch), dim=1).to(pos_embed.dtype)


class Dinov2Linear(nn.Module):
    """The official DINOv2 linear head (layers=1): Linear over [norm(x)[:, 0], mean(norm(x)[:, 1+R:])].

    LayerNorm is per token, so the patch half splits exactly: patch_logits_i = W_cls cls + W_patch p_i + b has the
    logits as its mean over patches.
    """

    def __init__(self, vit, dim, classes):
        super().__init__()
        self.vit = vit
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(2 * dim, classes)
        self.dim = dim

    def forward(self, pixel_values):
        x, attn = self.vit.tokens(pixel_values)
        x = self.norm(x)
        cls = x[:, 0]
        patches = x[:, 1 + self.vit.registers:]
        feat = torch.cat([cls, patches.mean(dim=1)], dim=-1)
        logits = self.head(feat)
        w_cls, w_patch = self.head.weight[:, :self.dim], self.head.weight[:, self.dim:]
        patch_logits = (cls @ w_cls.t() + self.head.bias).unsqueeze(1) + patches @ w_patch.t()
        return logits, self.vit.cls_attention(attn), patch_logits, cls


class ClsHead(nn.Module):
    """timm's global_pool='token': norm(x)[:, 0] -> head (RETFound-DINOv2 fine-tuning)."""

    def __init__(self, vit, dim, classes):
        super().__init__()
        self.vit = vit
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)

    def forward(self, pixel_values):
        x, attn = self.vit.tokens(pixel_values)
        cls = self.norm(x)[:, 0]
        return self.head(cls), self.vit.cls_attention(attn), cls


def build_dinov2(ckpt, head_file, labels, where, options):
    state = dict(ckpt) if isinstance(ckpt, dict) else None
    if state is None or "pos_embed" not in state:
        if isinstance(ckpt, dict) and any(k.startswith(("backbone.", "teacher")) for k in ckpt):
            raise ExportError(f"{where}: this is a training checkpoint; use the hub *_pretrain.pth file (flat keys)")
        raise ExportError(f"{where}: expected a DINOv2 hub checkpoint (a flat state dict with pos_embed)")
    if any(".mlp.w12." in k for k in state):
        raise ExportError(f"{where}: SwiGLU blocks (ViT-g) are not supported; use ViT-S/14, B/14 or L/14")
    registers = int(state["register_tokens"].shape[1]) if "register_tokens" in state else 0
    depth, dim, patch, tokens, hidden = vit_dims(state, where)
    square_grid(tokens, 1, where)
    grid = 224 // patch
    if not head_file:
        raise ExportError(f"{where}: DINOv2 backbones need --head FILE (a linear head over [CLS, mean of patches])")
    w, b = read_head(head_file, dim, len(labels), 2 * dim)
    expected = {"cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias", "norm.weight",
                "norm.bias"} | block_keys(depth, layer_scale=True)
    if registers:
        expected.add("register_tokens")
    ignored = check_keys(state, expected, ["mask_token"], where)
    state = {k: v for k, v in state.items() if k in expected}
    state["pos_embed"] = dinov2_pos_embed(state["pos_embed"], grid, registers)
    vit = ViT(patch, dim, depth, hidden, grid, registers=registers, layer_scale=True)
    model = Dinov2Linear(vit, dim, len(labels))
    rename = lambda k: k if k.startswith("norm.") else "vit." + k  # noqa: E731
    full = {rename(k): v for k, v in state.items()}
    full["head.weight"], full["head.bias"] = w, b
    check_shapes(state, model.state_dict(), where, rename)
    model.load_state_dict(full, strict=True)
    size_name = {384: "S", 768: "B", 1024: "L"}.get(dim, f"{dim}d")
    backbone = {"family": "dinov2", "architecture": f"vit-{size_name}/{patch}" + (f"-reg{registers}" if registers else ""),
                "patch": patch, "width": dim, "depth": depth, "heads": dim // HEAD_DIM, "registers": registers,
                "grid": grid, "pooling": "linear head over [CLS, mean of patch tokens]",
                "pos_embed": ("bicubic size=(16,16) antialias" if registers else "bicubic scale (16+0.1)/M, no antialias")
                + f" from {int(round(math.sqrt(tokens - 1)))}x{int(round(math.sqrt(tokens - 1)))}, baked for 224"}
    heat = {"attention": "last-block CLS attention over the patch tokens (registers excluded), mean over heads",
            "patch_logits": "exact: the mean of the patch logits is the logits"}
    return Exportable(model, ["logits", "cls_attention", "patch_logits", "embedding"], dinov2_recipe(), backbone,
                      ignored, heatmaps=heat)


def build_retfound_dinov2(ckpt, head_file, labels, where, options):
    if not isinstance(ckpt, dict) or not ("teacher" in ckpt or "model" in ckpt):
        raise ExportError(f"{where}: expected a RETFound-DINOv2 checkpoint with a 'teacher' or 'model' entry")
    if "teacher" in ckpt:
        raw = ckpt["teacher"]
        state = {}
        ignored_heads = []
        for k, v in raw.items():
            if k.startswith(("dino_head.", "ibot_head.")):
                ignored_heads.append(k)
                continue
            if not k.startswith("backbone."):
                raise ExportError(f"{where}: teacher key {k} has no 'backbone.' prefix")
            k = k[len("backbone."):].replace("mlp.w12.", "mlp.fc1.").replace("mlp.w3.", "mlp.fc2.")
            state[k] = v
        if any(k.startswith("blocks.") and k.split(".")[2].isdigit() for k in state):
            raise ExportError(f"{where}: chunked blocks (blocks.<chunk>.<i>) are not supported")
        if not head_file:
            raise ExportError(f"{where}: a pre-trained teacher has no classifier; give --head FILE (weight classes x width)")
    else:
        state = dict(ckpt["model"])
        ignored_heads = []
    depth, dim, patch, tokens, hidden = vit_dims(state, where)
    grid = 224 // patch
    if head_file:
        w, b = read_head(head_file, dim, len(labels), dim)
        state["head.weight"], state["head.bias"] = w, b
    expected = {"cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias", "norm.weight",
                "norm.bias", "head.weight", "head.bias"} | block_keys(depth, layer_scale=True)
    ignored = check_keys(state, expected, ["mask_token", "fc_norm."], where) + ignored_heads
    if state["head.weight"].shape[0] != len(labels):
        raise ExportError(f"{where}: the head has {state['head.weight'].shape[0]} classes but the label file lists {len(labels)}")
    state = {k: v for k, v in state.items() if k in expected}
    # main_finetune.py: interpolate_pos_embed (bicubic, align_corners=False) when the grid differs
    state["pos_embed"] = retfound_interpolate_pos_embed(state["pos_embed"], grid, 1)
    vit = ViT(patch, dim, depth, hidden, grid, layer_scale=True)
    model = ClsHead(vit, dim, len(labels))
    rename = lambda k: k if k.startswith(("norm.", "head.")) else "vit." + k  # noqa: E731
    check_shapes({k: v for k, v in state.items()}, model.state_dict(), where, rename)
    model.load_state_dict({rename(k): v for k, v in state.items()}, strict=True)
    backbone = {"family": "retfound-dinov2", "architecture": f"vit-p{patch}-d{dim}-l{depth}", "patch": patch,
                "width": dim, "depth": depth, "heads": dim // HEAD_DIM, "registers": 0, "grid": grid,
                "pooling": "cls + norm"}
    heat = {"attention": "last-block CLS attention, mean over heads (class-agnostic); no exact patch logits for a CLS head"}
    return Exportable(model, ["logits", "cls_attention", "embedding"], retfound_recipe(grid * patch), backbone, ignored,
                      heatmaps=heat)
