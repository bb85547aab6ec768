rule qa_generate:
    input:
        scene=rules.scenes_build.output.scene,
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
        "spatialmosaic qa generate --scene-json {input.scene} --visibility {input.table}"
        " --viewsets {input.viewsets} --seed {params.seed} --types {params.types}"
        " --per-viewset {params.per_viewset} --out {output.questions} > {log} 2>&1"


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
    shell:
        "spatialmosaic qa export --kind benchmark --scenes {input.scenes}"
        " --out {output.benchmark} > {log} 2>&1"


rule qa_export_train:
    input:
        scenes=expand(LAYOUT.scene_questions("{scene}"), scene=SPLITS[Split.TRAIN]),
    output:
        train=LAYOUT.training_set(),
        meta=LAYOUT.training_set().with_suffix(".meta.json"),
    log:
        log_path("qa_export_train"),
    conda:
        "../../envs/dataset.yaml"
    shell:
        "spatialmosaic qa export --kind train --scenes {input.scenes}"
        " --out {output.train} > {log} 2>&1"
