"""Prompt text for benchmark questions, as the official lmms-eval task builds it (SPEC §5).

Reference: ``vsibench_doc_to_text`` in the authors'
``thinking-in-space/lmms_eval/tasks/spatial_mosaic/indoor/utils.py`` with its default
(empty) ``lmms_eval_specific_kwargs``, so the built-in fallbacks below apply.
"""

from __future__ import annotations

from collections.abc import Sequence

from spatialmosaic.records import Metric, QuestionType

PRE_PROMPT = "These are frames of a video."
OPTIONS_HEADER = "Options:"
MCA_POST_PROMPT = "Answer with the option's letter from the given choices directly."
NA_POST_PROMPT = "Please answer the question using a single word or phrase."
POINT_POST_PROMPT = "Please answer with the coordinate pair only, formatted as (x,y)."

_POST_PROMPTS: dict[Metric, str] = {
    Metric.ACCURACY: MCA_POST_PROMPT,
    Metric.MRA: NA_POST_PROMPT,
    Metric.MPA: POINT_POST_PROMPT,
}


def build_prompt(question: str, options: Sequence[str], question_type: QuestionType) -> str:
    """The text prompt for one question (SPEC §5); frames are passed to the model separately.

    Parts are joined with ``"\\n"`` and no trailing newline, as the reference does:
    ``"\\n".join([pre, question, "Options:\\n" + "\\n".join(options), post])`` for multiple
    choice and ``pre + "\\n" + question + "\\n" + post`` for numeric and point questions.

    Args:
        question: the question text.
        options: the answer options, already prefixed ``"A. ..."``; used only for multiple
            choice (numeric records also carry options, which the reference ignores).
        question_type: selects the post-prompt through ``question_type.metric``.

    Returns:
        The prompt string.

    Raises:
        ValueError: when a multiple-choice question has no options.
    """
    parts = [PRE_PROMPT, question]
    if question_type.metric is Metric.ACCURACY:
        if not options:
            raise ValueError(f"{question_type.value} question {question!r}: no options given")
        parts += [OPTIONS_HEADER, *options]
    parts.append(_POST_PROMPTS[question_type.metric])
    return "\n".join(parts)
