"""Unit tests of the exporter's own re-implementations (run by ExporterTest with Debian's python3):

    /usr/bin/python3 -m unittest discover -s models/export -p 'test_*.py'
"""
import math
import os
import sys
import unittest

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families  # noqa: E402
import wordpiece  # noqa: E402
from vit import ViT  # noqa: E402


class WordPieceTest(unittest.TestCase):
    """The behaviour of HF BertTokenizer(do_lower_case=True) on the cases RetiZero's prompts meet."""

    VOCAB = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "fundus", "photograph", "of", "vogt",
                                         "-", "ko", "##yan", "##agi", "harada", "(", "vk", "##h", ")", "disease", "un",
                                         "##aff", "##able", "cafe", "视", "网"])}

    def test_basic_splits_punctuation_and_lowercases(self):
        self.assertEqual(wordpiece.basic_tokenize("A fundus photograph of Vogt-Koyanagi-Harada (VKH) disease"),
                         ["a", "fundus", "photograph", "of", "vogt", "-", "koyanagi", "-", "harada", "(", "vkh", ")",
                          "disease"])

    def test_accents_are_stripped_when_lowercasing(self):
        self.assertEqual(wordpiece.basic_tokenize("Café  NAÏVE"), ["cafe", "naive"])

    def test_control_characters_go_and_tabs_are_spaces(self):
        self.assertEqual(wordpiece.basic_tokenize("a\tb\x00c\u200bd"), ["a", "bcd"])

    def test_cjk_characters_are_single_tokens(self):
        self.assertEqual(wordpiece.basic_tokenize("视网膜"), ["视", "网", "膜"])

    def test_greedy_longest_match_first(self):
        self.assertEqual(wordpiece.wordpiece("unaffable", self.VOCAB), ["un", "##aff", "##able"])
        self.assertEqual(wordpiece.wordpiece("koyanagi", self.VOCAB), ["ko", "##yan", "##agi"])
        self.assertEqual(wordpiece.wordpiece("xyz", self.VOCAB), ["[UNK]"])
        self.assertEqual(wordpiece.wordpiece("a" * 101, self.VOCAB), ["[UNK]"])

    def test_batch_pads_to_the_longest_and_masks_padding(self):
        ids, mask = wordpiece.encode_batch(["A fundus", "A fundus photograph of disease"], self.VOCAB)
        v = self.VOCAB
        self.assertEqual(ids[0], [v["[CLS]"], v["a"], v["fundus"], v["[SEP]"], 0, 0, 0])
        self.assertEqual(mask[0], [1, 1, 1, 1, 0, 0, 0])
        self.assertEqual(len(ids[1]), 7)
        self.assertEqual(mask[1], [1] * 7)

    def test_truncation_keeps_cls_and_sep(self):
        ids, _ = wordpiece.encode_batch(["a " * 200], self.VOCAB, max_length=77)
        self.assertEqual(len(ids[0]), 77)
        self.assertEqual(ids[0][0], self.VOCAB["[CLS]"])
        self.assertEqual(ids[0][-1], self.VOCAB["[SEP]"])


class PosEmbedTest(unittest.TestCase):
    def test_dinov2_variants_follow_the_official_interpolation(self):
        torch.manual_seed(0)
        pe = torch.randn(1, 1 + 37 * 37, 32)
        m = 37
        patch = pe[:, 1:].reshape(1, m, m, 32).permute(0, 3, 1, 2)
        s = (16 + 0.1) / m
        want = F.interpolate(patch, mode="bicubic", antialias=False, scale_factor=(s, s))
        got = families.dinov2_pos_embed(pe, 16, registers=0)
        self.assertTrue(torch.equal(got[:, 1:], want.permute(0, 2, 3, 1).reshape(1, -1, 32)))
        self.assertTrue(torch.equal(got[:, :1], pe[:, :1]))
        want_reg = F.interpolate(patch, mode="bicubic", antialias=True, size=(16, 16))
        got_reg = families.dinov2_pos_embed(pe, 16, registers=4)
        self.assertTrue(torch.equal(got_reg[:, 1:], want_reg.permute(0, 2, 3, 1).reshape(1, -1, 32)))
        self.assertGreater(float((got - got_reg).abs().max()), 1e-3, "the two variants differ, so each must be exact")


class PatchLogitsTest(unittest.TestCase):
    def test_mean_pool_heads_split_exactly(self):
        for twice in (False, True):
            h = families.MeanPoolHead(64, 5, twice)
            with torch.no_grad():
                h.fc_norm.weight.normal_()
                h.fc_norm.bias.normal_()
                logits, patch_logits, _ = h(torch.randn(2, 49, 64))
            self.assertLess(float((patch_logits.mean(1) - logits).abs().max()), 1e-5)

    def test_dinov2_linear_head_splits_exactly(self):
        m = families.Dinov2Linear(ViT(14, 128, 1, 256, 16, registers=4, layer_scale=True), 128, 5)
        with torch.no_grad():
            logits, attn, patch_logits, _ = m(torch.randn(2, 3, 224, 224))
        self.assertEqual(tuple(attn.shape), (2, 2, 256), "registers are excluded from the attention map")
        self.assertLess(float((patch_logits.mean(1) - logits).abs().max()), 1e-5)


class AttentionTest(unittest.TestCase):
    def test_cls_attention_rows_are_probabilities_over_all_tokens(self):
        v = ViT(16, 128, 2, 256, 14)
        with torch.no_grad():
            _, attn = v.tokens(torch.randn(1, 3, 224, 224))
        self.assertTrue(torch.allclose(attn.sum(-1), torch.ones(1, 2, 197), atol=1e-5))
        self.assertEqual(tuple(v.cls_attention(attn).shape), (1, 2, 196))
        self.assertAlmostEqual(v.blocks[0].attn.scale, 1 / math.sqrt(64))


if __name__ == "__main__":
    unittest.main()
