rule train_frequency:
    input:
        train=rules.qa_export_train.output.train,
        verified=rules.qa_verify.output.summary,  # never train on data the verifier rejects
    output:
        model=LAYOUT.model("frequency"),
    log:
        log_path("train_frequency"),
    conda:
        "../../envs/dataset.yaml"
    shell:
        "spatialmosaic train frequency --train-set {input.train} --out {output.model} > {log} 2>&1"


rule train_blind:
    input:
        records=rules.qa_export_train.output.records,
        verified=rules.qa_verify.output.summary,
    output:
        model=LAYOUT.model("blind"),
    log:
        log_path("train_blind"),
    conda:
        "../../envs/dataset.yaml"
    shell:
        "spatialmosaic train blind --train-records {input.records} --out {output.model}"
        " > {log} 2>&1"


rule train_vision:
    input:
        scenes=expand(LAYOUT.scene_json("{scene}"), scene=SPLITS[Split.TRAIN]),
        frames=expand(LAYOUT.render_dir("{scene}"), scene=SPLITS[Split.TRAIN]),
        benchmark=rules.qa_export_benchmark.output.benchmark,  # refuses benchmark scenes
    output:
        model=directory(LAYOUT.model_dir("vision")),
        curve=LAYOUT.training_curve("vision"),
    log:
        log_path("train_vision"),
    conda:
        "../../envs/models.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
        min_visible=lookup(dpath="visibility/min_visible_pixels", within=config),
        settings=as_cli_flags(config["train"]["vision"]),
    shell:
        "spatialmosaic train vision --scenes {input.scenes} --frames {input.frames}"
        " --benchmark {input.benchmark} --out {output.model} --curve {output.curve}"
        " --seed {params.seed} --min-visible-pixels {params.min_visible} {params.settings}"
        " > {log} 2>&1"


rule train_geometry:
    input:
        records=rules.qa_export_train.output.records,
        verified=rules.qa_verify.output.summary,
        benchmark=rules.qa_export_benchmark.output.benchmark,
        cameras=expand(LAYOUT.cameras("{scene}"), scene=SPLITS[Split.TRAIN]),
        frames=expand(LAYOUT.render_dir("{scene}"), scene=SPLITS[Split.TRAIN]),
    output:
        model=directory(LAYOUT.model_dir("geometry")),
        curve=LAYOUT.training_curve("geometry"),
    log:
        log_path("train_geometry"),
    conda:
        "../../envs/models.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
        images=LAYOUT.render_root(),
        settings=as_cli_flags(config["train"]["geometry"]),
    shell:
        "spatialmosaic train geometry --train-records {input.records}"
        " --benchmark {input.benchmark} --cameras {input.cameras} --images {params.images}"
        " --out {output.model} --curve {output.curve} --seed {params.seed} {params.settings}"
        " > {log} 2>&1"


rule train_language:
    input:
        records=rules.qa_export_train.output.records,
        verified=rules.qa_verify.output.summary,
        benchmark=rules.qa_export_benchmark.output.benchmark,
    output:
        model=directory(LAYOUT.model_dir("language")),
        curve=LAYOUT.training_curve("language"),
    log:
        log_path("train_language"),
    conda:
        "../../envs/models.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
        settings=as_cli_flags(config["train"]["language"]),
    shell:
        "spatialmosaic train language --train-records {input.records}"
        " --benchmark {input.benchmark} --out {output.model} --curve {output.curve}"
        " --seed {params.seed} {params.settings} > {log} 2>&1"


rule train_convert_smollm2:
    output:
        model=directory(LAYOUT.model_dir("smollm2")),
    log:
        log_path("train_convert_smollm2"),
    conda:
        "../../envs/models.yaml"
    shell:
        "spatialmosaic train convert-smollm2 --out {output.model} > {log} 2>&1"


rule train_vlm:
    input:
        unpack(vlm_inputs),
        records=rules.qa_export_train.output.records,
        verified=rules.qa_verify.output.summary,
        benchmark=rules.qa_export_benchmark.output.benchmark,
        frames=expand(LAYOUT.render_dir("{scene}"), scene=SPLITS[Split.TRAIN]),
    output:
        model=directory(LAYOUT.model_dir("{variant}")),
        curve=LAYOUT.training_curve("{variant}"),
    log:
        log_path("train_vlm", "{variant}"),
    wildcard_constraints:
        variant="|".join(VLM_VARIANTS) or "no-variant",
    conda:
        "../../envs/models.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
        images=LAYOUT.render_root(),
        settings=vlm_settings,
        encoders=vlm_encoder_flags,
    shell:
        "spatialmosaic train vlm --train-records {input.records} --benchmark {input.benchmark}"
        " --images {params.images} --out {output.model} --curve {output.curve}"
        " --seed {params.seed} {params.encoders} {params.settings} > {log} 2>&1"
