"""The ``tiny`` scale's tokenizer: words, punctuation and single digits from the training text.

A real Hugging Face tokenizer (``tokenizers`` WordLevel) so the tiny and small scales share one
code path (chat template, padding, decoding). Digits are single tokens, so numbers are spelled
digit by digit; decoding fuses tokens without spaces, which is exact for every answer form the
benchmark asks for ("B", "2.37", "(125,213)"). The fixed sentences of the official prompt
(SPEC §5) are one token each, as a BPE vocabulary would merge them: they carry no information
beyond which kind of answer is asked for, and every token costs compute on 2 cores.
"""

from __future__ import annotations

from collections.abc import Iterable

from spatialmosaic.evaluate.prompts import (
    MCA_POST_PROMPT,
    NA_POST_PROMPT,
    OPTIONS_HEADER,
    POINT_POST_PROMPT,
    PRE_PROMPT,
)

PAD, UNK, EOS = "<pad>", "<unk>", "<eos>"
ANSWER = "<answer>"
HINT = "<hint>"  # language pretraining only: the right option's text follows (training.language)
# The prompt, then the answer marker; the model writes the answer and <eos>.
CHAT_TEMPLATE = (
    "{% for message in messages %}{{ message['content'] }}{% endfor %}"
    "{% if add_generation_prompt %}" + f" {ANSWER}" + "{% endif %}"
)


def build_word_tokenizer(texts: Iterable[str]):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordLevel(unk_token=UNK))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.WhitespaceSplit(),
            pre_tokenizers.Punctuation(),
            pre_tokenizers.Digits(individual_digits=True),
        ]
    )
    tokenizer.decoder = decoders.Fuse()
    trainer = trainers.WordLevelTrainer(
        special_tokens=[PAD, UNK, EOS, ANSWER, HINT], min_frequency=1
    )
    tokenizer.train_from_iterator(sorted(set(texts)), trainer=trainer)  # order-free vocabulary
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, pad_token=PAD, unk_token=UNK, eos_token=EOS
    )
    wrapped.add_tokens(
        [PRE_PROMPT, OPTIONS_HEADER, MCA_POST_PROMPT, NA_POST_PROMPT, POINT_POST_PROMPT]
    )
    wrapped.chat_template = CHAT_TEMPLATE
    return wrapped
