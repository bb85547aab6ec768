rule qa_generate:
    input:
        scene=rules.scenes_build.output.scene,
        cameras=rules.views_walkthrough.output.cameras,
        table=rules.visibility_compute.output.table,
        viewsets=rules.viewsets_sample.output.viewsets,
    output:
        questions=LAYOUT.scene_questions("{scene}"),
    log:
        log_path("qa_generate", "{scene}"),
    conda:
        "../../envs/dataset.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
        types=lookup(dpath="qa/question_types", within=config),
        per_viewset=lookup(dpath="qa/questions_per_viewset", within=config),
    shell:
        "spatialmosaic qa generate --scene-json {input.scene} --cameras {input.cameras}"
        " --visibility {input.table} --viewsets {input.viewsets} --seed {params.seed}"
        " --types {params.types} --per-viewset {params.per_viewset}"
        " --out {output.questions} > {log} 2>&1"


rule qa_export_benchmark:
    input:
        scenes=expand(LAYOUT.scene_questions("{scene}"), scene=SPLITS[Split.EVAL]),
    output:
        benchmark=LAYOUT.benchmark(),
        meta=LAYOUT.benchmark().with_suffix(".meta.json"),
    log:
        log_path("qa_export_benchmark"),
    conda:
        "../../envs/dataset.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
    shell:
        "spatialmosaic qa export --kind benchmark --scenes {input.scenes} --seed {params.seed}"
        " --out {output.benchmark} > {log} 2>&1"


rule qa_export_train:
    input:
        scenes=expand(LAYOUT.scene_questions("{scene}"), scene=SPLITS[Split.TRAIN]),
    output:
        records=LAYOUT.training_records(),
        meta=LAYOUT.training_records().with_suffix(".meta.json"),
        train=LAYOUT.training_set(),
    log:
        log_path("qa_export_train"),
    conda:
        "../../envs/dataset.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
    shell:
        "spatialmosaic qa export --kind train --scenes {input.scenes} --seed {params.seed}"
        " --out {output.records} --llava {output.train} > {log} 2>&1"


rule qa_verify:
    input:
        records=[
            rules.qa_export_benchmark.output.benchmark,
            rules.qa_export_train.output.records,
        ],
        scenes=expand(LAYOUT.scene_json("{scene}"), scene=SCENES),
        cameras=expand(LAYOUT.cameras("{scene}"), scene=SCENES),
        tables=expand(LAYOUT.visibility("{scene}"), scene=SCENES),
    output:
        summary=LAYOUT.qa_summary("verify"),
    log:
        log_path("qa_verify"),
    conda:
        "../../envs/dataset.yaml"
    shell:
        "spatialmosaic qa verify --records {input.records} --scene-json {input.scenes}"
        " --cameras {input.cameras} --visibility {input.tables}"
        " --out {output.summary} > {log} 2>&1"


rule qa_stats:
    input:
        benchmark=rules.qa_export_benchmark.output.benchmark,
        train=rules.qa_export_train.output.records,
    output:
        stats=LAYOUT.qa_summary("stats"),
        csv=report(
            LAYOUT.table("dataset_statistics", "csv"),
            caption="../report/dataset_statistics.rst",
            category="Tables",
        ),
        markdown=LAYOUT.table("dataset_statistics", "md"),
        latex=LAYOUT.table("dataset_statistics", "tex"),
    log:
        log_path("qa_stats"),
    conda:
        "../../envs/dataset.yaml"
    shell:
        "spatialmosaic qa stats --benchmark {input.benchmark} --train-records {input.train}"
        " --out {output.stats} --csv {output.csv} --markdown {output.markdown}"
        " --latex {output.latex} > {log} 2>&1"


rule qa_datasheet:
    input:
        stats=rules.qa_stats.output.stats,
        scenes=expand(LAYOUT.scene_json("{scene}"), scene=SCENES),
    output:
        datasheet=LAYOUT.datasheet(),
    log:
        log_path("qa_datasheet"),
    conda:
        "../../envs/dataset.yaml"
    params:
        profile=lookup(dpath="profile", within=config),
        seed=lookup(dpath="seed", within=config),
        source=lookup(dpath="scenes/indoor_source", within=config),
        licences=lookup(dpath="scenes/licences", within=config),
        max_overlap=lookup(dpath="viewsets/max_overlap", within=config),
    shell:
        "spatialmosaic qa datasheet --stats {input.stats} --scene-json {input.scenes}"
        " --profile {params.profile} --seed {params.seed} --scene-source {params.source}"
        " --licences {params.licences} --max-overlap {params.max_overlap}"
        " --out {output.datasheet} > {log} 2>&1"


rule qa_parquet:
    input:
        benchmark=rules.qa_export_benchmark.output.benchmark,
        train=rules.qa_export_train.output.records,
        datasheet=rules.qa_datasheet.output.datasheet,
    output:
        dataset=directory(LAYOUT.hf_dataset()),
    log:
        log_path("qa_parquet"),
    conda:
        "../../envs/dataset.yaml"
    shell:
        "spatialmosaic qa parquet --benchmark {input.benchmark} --train-records {input.train}"
        " --datasheet {input.datasheet} --out {output.dataset} > {log} 2>&1"


rule qa_lmms_eval:
    input:
        dataset=rules.qa_parquet.output.dataset,
    output:
        task=directory(LAYOUT.lmms_eval_task()),
    log:
        log_path("qa_lmms_eval"),
    conda:
        "../../envs/dataset.yaml"
    params:
        image_root=LAYOUT.render_root(),
    shell:
        "spatialmosaic qa lmms-eval --parquet {input.dataset} --image-root {params.image_root}"
        " --out {output.task} > {log} 2>&1"


rule qa_blind_check:
    input:
        benchmark=rules.qa_export_benchmark.output.benchmark,
        train=rules.qa_export_train.output.records,
    output:
        report=LAYOUT.qa_summary("blind_check"),
        csv=report(
            LAYOUT.table("qa_blind_check", "csv"),
            caption="../report/qa_blind_check.rst",
            category="Tables",
        ),
        markdown=LAYOUT.table("qa_blind_check", "md"),
        latex=LAYOUT.table("qa_blind_check", "tex"),
    log:
        log_path("qa_blind_check"),
    conda:
        "../../envs/dataset.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
    shell:
        "spatialmosaic qa blind-check --train-records {input.train} --benchmark {input.benchmark}"
        " --seed {params.seed} --out {output.report} --csv {output.csv}"
        " --markdown {output.markdown} --latex {output.latex} > {log} 2>&1"
