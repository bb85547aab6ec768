rule report_table:
    input:
        metrics=expand(LAYOUT.metrics("{model}"), model=config["evaluate"]["models"]),
    output:
        csv=report(
            LAYOUT.table("baselines", "csv"),
            caption="../report/baselines_table.rst",
            category="Tables",
        ),
        markdown=LAYOUT.table("baselines", "md"),
        latex=LAYOUT.table("baselines", "tex"),
    log:
        log_path("report_table"),
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report table --metrics {input.metrics} --csv {output.csv}"
        " --markdown {output.markdown} --latex {output.latex} > {log} 2>&1"


rule report_figure:
    input:
        table=rules.report_table.output.csv,
    output:
        pdf=LAYOUT.figure("baselines_by_type", "pdf"),
        png=report(
            LAYOUT.figure("baselines_by_type", "png"),
            caption="../report/baselines_by_type.rst",
            category="Figures",
        ),
    log:
        log_path("report_figure"),
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report figure --table {input.table} --pdf {output.pdf}"
        " --png {output.png} > {log} 2>&1"


rule report_visibility_figure:
    input:
        tables=expand(LAYOUT.visibility("{scene}"), scene=SCENES),
        example=rules.visibility_example.output.example,
    output:
        pdf=LAYOUT.figure("visibility_overview", "pdf"),
        png=report(
            LAYOUT.figure("visibility_overview", "png"),
            caption="../report/visibility_overview.rst",
            category="Figures",
        ),
    log:
        log_path("report_visibility_figure"),
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report visibility-figure --visibility {input.tables}"
        " --example {input.example} --pdf {output.pdf} --png {output.png} > {log} 2>&1"


rule report_breakdowns:
    input:
        metrics=expand(LAYOUT.metrics("{model}"), model=config["evaluate"]["models"]),
    output:
        csv=report(
            LAYOUT.table("breakdowns", "csv"),
            caption="../report/breakdowns_table.rst",
            category="Tables",
        ),
        markdown=LAYOUT.table("breakdowns", "md"),
        latex=LAYOUT.table("breakdowns", "tex"),
    log:
        log_path("report_breakdowns"),
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report breakdowns --metrics {input.metrics} --csv {output.csv}"
        " --markdown {output.markdown} --latex {output.latex} > {log} 2>&1"


rule report_domains:
    input:
        metrics=expand(LAYOUT.metrics("{model}"), model=config["evaluate"]["models"]),
    output:
        csv=report(
            LAYOUT.table("main_results", "csv"),
            caption="../report/main_results_table.rst",
            category="Tables",
        ),
        markdown=LAYOUT.table("main_results", "md"),
        latex=LAYOUT.table("main_results", "tex"),
    log:
        log_path("report_domains"),
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report domains --metrics {input.metrics} --csv {output.csv}"
        " --markdown {output.markdown} --latex {output.latex} > {log} 2>&1"


rule report_radar:
    input:
        table=rules.report_domains.output.csv,
    output:
        pdf=LAYOUT.figure("radar_by_domain", "pdf"),
        png=report(
            LAYOUT.figure("radar_by_domain", "png"),
            caption="../report/radar_by_domain.rst",
            category="Figures",
        ),
    log:
        log_path("report_radar"),
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report radar --table {input.table} --pdf {output.pdf}"
        " --png {output.png} > {log} 2>&1"


rule report_street_frames:
    input:
        frames=expand(LAYOUT.render_dir("{scene}"), scene=STREETS),
    output:
        pdf=LAYOUT.figure("street_frames", "pdf"),
        png=report(
            LAYOUT.figure("street_frames", "png"),
            caption="../report/street_frames.rst",
            category="Figures",
        ),
    log:
        log_path("report_street_frames"),
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report street-frames --frames {input.frames} --pdf {output.pdf}"
        " --png {output.png} > {log} 2>&1"


rule report_scene_card:
    input:
        scene=rules.scenes_build.output.scene,
        cameras=rules.views_walkthrough.output.cameras,
    output:
        json=LAYOUT.scene_card("{scene}", "json"),
        markdown=LAYOUT.scene_card("{scene}", "md"),
    log:
        log_path("report_scene_card", "{scene}"),
    wildcard_constraints:
        scene=r"ours_indoor_\d+",
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report scene-card --scene-json {input.scene} --cameras {input.cameras}"
        " --json {output.json} --markdown {output.markdown} > {log} 2>&1"


rule report_scene_examples:
    input:
        frames=expand(LAYOUT.render_dir("{scene}"), scene=ROOMS),
        scenes=expand(LAYOUT.scene_json("{scene}"), scene=ROOMS),
    output:
        pdf=LAYOUT.figure("scene_examples", "pdf"),
        png=report(
            LAYOUT.figure("scene_examples", "png"),
            caption="../report/scene_examples.rst",
            category="Figures",
        ),
    log:
        log_path("report_scene_examples"),
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report scene-examples --frames {input.frames} --scenes {input.scenes}"
        " --pdf {output.pdf} --png {output.png} > {log} 2>&1"


rule report_dataset_comparison:
    input:
        stats=rules.qa_stats.output.stats,
        peers="src/spatialmosaic/reporting/peers.yaml",
    output:
        csv=report(
            LAYOUT.table("dataset_comparison", "csv"),
            caption="../report/dataset_comparison.rst",
            category="Tables",
        ),
        markdown=LAYOUT.table("dataset_comparison", "md"),
        latex=LAYOUT.table("dataset_comparison", "tex"),
    log:
        log_path("report_dataset_comparison"),
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report dataset-comparison --stats {input.stats} --peers {input.peers}"
        " --csv {output.csv} --markdown {output.markdown} --latex {output.latex}"
        " > {log} 2>&1"


rule report_task_distribution:
    input:
        stats=rules.qa_stats.output.stats,
    output:
        pdf=LAYOUT.figure("task_distribution", "pdf"),
        png=report(
            LAYOUT.figure("task_distribution", "png"),
            caption="../report/task_distribution.rst",
            category="Figures",
        ),
    log:
        log_path("report_task_distribution"),
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report task-distribution --stats {input.stats} --pdf {output.pdf}"
        " --png {output.png} > {log} 2>&1"


rule report_example_questions:
    input:
        benchmark=rules.qa_export_benchmark.output.benchmark,
        frames=expand(LAYOUT.render_dir("{scene}"), scene=SPLITS[Split.EVAL]),
    output:
        pdf=LAYOUT.figure("example_questions", "pdf"),
        png=report(
            LAYOUT.figure("example_questions", "png"),
            caption="../report/example_questions.rst",
            category="Figures",
        ),
    log:
        log_path("report_example_questions"),
    conda:
        "../../envs/report.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
    shell:
        "spatialmosaic report example-questions --benchmark {input.benchmark}"
        " --frames {input.frames} --seed {params.seed} --pdf {output.pdf}"
        " --png {output.png} > {log} 2>&1"


rule report_values:
    input:
        stats=rules.qa_stats.output.stats,
        metrics=expand(LAYOUT.metrics("{model}"), model=config["evaluate"]["models"]),
    output:
        values=LAYOUT.values(),
        tex=directory(LAYOUT.values_tex()),
    log:
        log_path("report_values"),
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report values --stats {input.stats} --metrics {input.metrics}"
        " --out {output.values} --tex {output.tex} > {log} 2>&1"


rule report_ablations:
    input:
        metrics=expand(LAYOUT.metrics("{model}"), model=EVALUATED_VLMS),
    output:
        csv=report(
            LAYOUT.table("ablations", "csv"),
            caption="../report/ablations_table.rst",
            category="Tables",
        ),
        markdown=LAYOUT.table("ablations", "md"),
        latex=LAYOUT.table("ablations", "tex"),
    log:
        log_path("report_ablations"),
    conda:
        "../../envs/report.yaml"
    params:
        variants=variant_specs(EVALUATED_VLMS),
    shell:
        "spatialmosaic report ablations --metrics {input.metrics} --variants {params.variants}"
        " --csv {output.csv} --markdown {output.markdown} --latex {output.latex} > {log} 2>&1"


rule report_training_curves:
    input:
        curves=training_curves(),
    output:
        pdf=LAYOUT.figure("training_curves", "pdf"),
        png=report(
            LAYOUT.figure("training_curves", "png"),
            caption="../report/training_curves.rst",
            category="Figures",
        ),
    log:
        log_path("report_training_curves"),
    conda:
        "../../envs/report.yaml"
    shell:
        "spatialmosaic report training-curves --curves {input.curves} --pdf {output.pdf}"
        " --png {output.png} > {log} 2>&1"


rule report_scaling:
    input:
        metrics=expand(LAYOUT.metrics("{model}"), model=SCALING_MODELS + BASELINES),
        stats=rules.qa_stats.output.stats,
    output:
        pdf=LAYOUT.figure("scaling_curve", "pdf"),
        png=report(
            LAYOUT.figure("scaling_curve", "png"),
            caption="../report/scaling_curve.rst",
            category="Figures",
        ),
    log:
        log_path("report_scaling"),
    conda:
        "../../envs/report.yaml"
    params:
        variants=variant_specs(SCALING_MODELS),
    shell:
        "spatialmosaic report scaling --metrics {input.metrics} --variants {params.variants}"
        " --stats {input.stats} --pdf {output.pdf} --png {output.png} > {log} 2>&1"
