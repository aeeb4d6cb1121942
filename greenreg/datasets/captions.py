"""Captions for digit images and the word-level tokenizer that turns them into ids.

Several templates per digit make the condition a real token sequence ("a handwritten seven",
"the number 7 drawn by hand", ...): the text encoder must learn that different sentences name
the same digit, and the conditioner, not the data, decides whether spatial structure can form.
"""

from __future__ import annotations

import torch
from torch import Tensor

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
CAPTION_TEMPLATES = (
    "a handwritten {word}",
    "the digit {word}",
    "the number {numeral} drawn by hand",
    "a picture of a {word}",
    "{numeral} written with a pen",
)
PAD_ID = 0
UNK_ID = 1


def caption_for(label: int, template_index: int) -> str:
    """The caption of digit ``label`` in template ``template_index`` (taken modulo the count)."""
    template = CAPTION_TEMPLATES[template_index % len(CAPTION_TEMPLATES)]
    return template.format(word=DIGIT_WORDS[label], numeral=str(label))


class CaptionTokenizer:
    """Word-level tokenizer over the closed vocabulary of the caption templates.

    Args:
        max_length (int): every caption is padded (with id 0) or cut to this many tokens.
    """

    def __init__(self, max_length: int = 8) -> None:
        if max_length < 1:
            raise ValueError(
                f"CaptionTokenizer.max_length: must be positive; expected an int >= 1, "
                f"got {max_length}."
            )
        self.max_length = max_length
        words = sorted(
            {
                w
                for label in range(10)
                for k in range(len(CAPTION_TEMPLATES))
                for w in caption_for(label, k).split()
            }
        )
        self.vocab = {"<pad>": PAD_ID, "<unk>": UNK_ID}
        self.vocab.update({w: i + 2 for i, w in enumerate(words)})

    @property
    def vocab_size(self) -> int:
        """Number of token ids, padding and unknown included."""
        return len(self.vocab)

    def encode(self, captions: list[str], strict: bool = False) -> Tensor:
        """Token ids of ``captions``, shape (B, max_length), dtype long; 0 pads.

        Args:
            captions (list[str]): the sentences.
            strict (bool): raise on a word outside the vocabulary instead of mapping it to
                ``<unk>`` (which no model saw in training).

        Raises:
            ValueError: with ``strict``, names the unknown word and the vocabulary.
        """
        ids = torch.full((len(captions), self.max_length), PAD_ID, dtype=torch.long)
        for row, caption in enumerate(captions):
            words = caption.lower().split()
            unknown = [w for w in words if w not in self.vocab]
            if strict and unknown:
                known = sorted(w for w in self.vocab if not w.startswith("<"))
                raise ValueError(
                    f"caption {caption!r}: unknown word {unknown[0]!r}; expected words from "
                    f"the training captions: {' '.join(known)}."
                )
            tokens = [self.vocab.get(w, UNK_ID) for w in words]
            tokens = tokens[: self.max_length]
            ids[row, : len(tokens)] = torch.tensor(tokens, dtype=torch.long)
        return ids
