# SpatialMosaic-Repro: scenes -> views -> render -> visibility -> viewsets -> qa -> train
# -> evaluate -> report. Rules live in workflow/rules/; config is validated in common.smk.


configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/scenes.smk"
include: "workflow/rules/views.smk"
include: "workflow/rules/render.smk"
include: "workflow/rules/visibility.smk"
include: "workflow/rules/viewsets.smk"
include: "workflow/rules/qa.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        # the images are part of the dataset: the benchmark JSON refers to them
        expand(rules.render_frames.output.frames, scene=SCENES),
        rules.report_table.output,
        rules.report_breakdowns.output,
        rules.report_domains.output,
        rules.report_radar.output,
        rules.report_street_frames.output if STREETS else [],
        rules.report_scene_examples.output if ROOMS else [],
        expand(rules.report_scene_card.output, scene=ROOMS),
        rules.report_figure.output,
        rules.report_visibility_figure.output,
        rules.report_dataset_comparison.output,
        rules.report_task_distribution.output,
        rules.report_example_questions.output,
        rules.report_values.output,
        rules.report_ablations.output if EVALUATED_VLMS else [],
        rules.report_training_curves.output if EVALUATED_VLMS else [],
        rules.report_scaling.output if SCALING_MODELS else [],
        rules.visibility_crosscheck.output,
        rules.qa_verify.output,
        rules.qa_stats.output,
        rules.qa_lmms_eval.output,
        rules.qa_blind_check.output,
