"""HF BertModel (the Bio_ClinicalBERT text tower of RetiZero) in plain PyTorch, with HF's state-dict key names.

Only what RetiZero uses: embeddings (word + absolute position + token type 0, LayerNorm 1e-12), post-norm encoder
layers with exact GELU, the attention mask as an additive finfo.min bias, and every layer's hidden state.
"""
import torch
import torch.nn as nn


class Embeddings(nn.Module):
    def __init__(self, vocab, hidden, positions, types):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, hidden)
        self.position_embeddings = nn.Embedding(positions, hidden)
        self.token_type_embeddings = nn.Embedding(types, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, input_ids):
        n = input_ids.shape[1]
        pos = torch.arange(n).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.position_embeddings(pos) + \
            self.token_type_embeddings(torch.zeros_like(input_ids))
        return self.LayerNorm(x)


class SelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def forward(self, x, bias):
        b, n, c = x.shape
        d = c // self.heads

        def split(t):
            return t.view(b, n, self.heads, d).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / (d ** 0.5) + bias
        ctx = scores.softmax(dim=-1) @ v
        return ctx.permute(0, 2, 1, 3).reshape(b, n, c)


class DenseNorm(nn.Module):
    def __init__(self, inp, hidden):
        super().__init__()
        self.dense = nn.Linear(inp, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class AttentionBlock(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.self = SelfAttention(hidden, heads)
        self.output = DenseNorm(hidden, hidden)

    def forward(self, x, bias):
        return self.output(self.self(x, bias), x)


class Intermediate(nn.Module):
    def __init__(self, hidden, inner):
        super().__init__()
        self.dense = nn.Linear(hidden, inner)

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))


class Layer(nn.Module):
    def __init__(self, hidden, heads, inner):
        super().__init__()
        self.attention = AttentionBlock(hidden, heads)
        self.intermediate = Intermediate(hidden, inner)
        self.output = DenseNorm(inner, hidden)

    def forward(self, x, bias):
        a = self.attention(x, bias)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, hidden, heads, inner, layers):
        super().__init__()
        self.layer = nn.ModuleList([Layer(hidden, heads, inner) for _ in range(layers)])


class Pooler(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.dense = nn.Linear(hidden, hidden)


class BertModel(nn.Module):
    def __init__(self, vocab, hidden, positions, types, heads, inner, layers):
        super().__init__()
        self.embeddings = Embeddings(vocab, hidden, positions, types)
        self.encoder = Encoder(hidden, heads, inner, layers)
        self.pooler = Pooler(hidden)  # kept for its keys; RetiZero does not use it

    @staticmethod
    def from_state(state, where):
        try:
            vocab, hidden = state["embeddings.word_embeddings.weight"].shape
            positions = state["embeddings.position_embeddings.weight"].shape[0]
            types = state["embeddings.token_type_embeddings.weight"].shape[0]
            inner = state["encoder.layer.0.intermediate.dense.weight"].shape[0]
            layers = 1 + max(int(k.split(".")[2]) for k in state if k.startswith("encoder.layer."))
        except (KeyError, ValueError) as e:
            raise ValueError(f"{where}: not a BERT state dict (no {e})")
        return BertModel(vocab, hidden, positions, types, hidden // 64, inner, layers)

    def hidden_states(self, input_ids, attention_mask):
        """[embeddings, layer 1, ..., layer L], as HF returns with output_hidden_states=True."""
        bias = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        x = self.embeddings(input_ids)
        states = [x]
        for layer in self.encoder.layer:
            x = layer(x, bias)
            states.append(x)
        return states
