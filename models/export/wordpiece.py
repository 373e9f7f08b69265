"""BERT's lower-case WordPiece tokenizer (BasicTokenizer + WordpieceTokenizer), re-implemented without transformers.

Follows HF transformers' BertTokenizer with do_lower_case=True, tokenize_chinese_chars=True, strip_accents=None
(accents are stripped when lower-casing), max_input_chars_per_word=100, and the batch call RetiZero makes:
[CLS] ... [SEP], truncation to model_max_length (77), padding to the longest sequence in the batch.
"""
import unicodedata


def load_vocab(path):
    vocab = {}
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            token = line.rstrip("\n")
            if token not in vocab:
                vocab[token] = i
    for special in ("[PAD]", "[UNK]", "[CLS]", "[SEP]"):
        if special not in vocab:
            raise ValueError(f"{path}: the vocabulary has no {special} token")
    return vocab


def _is_whitespace(c):
    if c in (" ", "\t", "\n", "\r"):
        return True
    return unicodedata.category(c) == "Zs"


def _is_control(c):
    if c in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(c).startswith("C")


def _is_punctuation(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _is_chinese(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic_tokenize(text, lower=True):
    out = []
    for c in text:
        cp = ord(c)
        if cp == 0 or cp == 0xFFFD or _is_control(c):
            continue
        out.append(" " if _is_whitespace(c) else c)
    text = "".join(out)
    text = "".join(f" {c} " if _is_chinese(ord(c)) else c for c in text)
    tokens = []
    for token in text.strip().split():
        if lower:
            token = token.lower()
            token = "".join(c for c in unicodedata.normalize("NFD", token) if unicodedata.category(c) != "Mn")
        current = []
        for c in token:
            if _is_punctuation(c):
                if current:
                    tokens.append("".join(current))
                    current = []
                tokens.append(c)
            else:
                current.append(c)
        if current:
            tokens.append("".join(current))
    return [t for t in " ".join(tokens).split()]


def wordpiece(token, vocab, unk="[UNK]", max_chars=100):
    if len(token) > max_chars:
        return [unk]
    pieces = []
    start = 0
    while start < len(token):
        end = len(token)
        found = None
        while start < end:
            sub = token[start:end]
            if start > 0:
                sub = "##" + sub
            if sub in vocab:
                found = sub
                break
            end -= 1
        if found is None:
            return [unk]
        pieces.append(found)
        start = end
    return pieces


def tokenize(text, vocab, lower=True):
    return [p for t in basic_tokenize(text, lower) for p in wordpiece(t, vocab)]


def encode_batch(texts, vocab, max_length=77, lower=True):
    """input_ids and attention_mask, padded to the longest sequence in the batch (HF padding=True)."""
    seqs = []
    for t in texts:
        ids = [vocab[p] for p in tokenize(t, vocab, lower)][:max_length - 2]
        seqs.append([vocab["[CLS]"]] + ids + [vocab["[SEP]"]])
    width = max(len(s) for s in seqs)
    input_ids = [s + [vocab["[PAD]"]] * (width - len(s)) for s in seqs]
    mask = [[1] * len(s) + [0] * (width - len(s)) for s in seqs]
    return input_ids, mask
