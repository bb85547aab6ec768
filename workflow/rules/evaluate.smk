rule evaluate_model:
    input:
        benchmark=rules.qa_export_benchmark.output.benchmark,
        verified=rules.qa_verify.output.summary,  # never score on data the verifier rejects
        model=fitted_model_files,
        frames=model_frames,
    output:
        predictions=LAYOUT.predictions("{model}"),
        metrics=LAYOUT.metrics("{model}"),
    log:
        log_path("evaluate_model", "{model}"),
    conda:
        "../../envs/models.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
        arguments=model_arguments,
    shell:
        "spatialmosaic evaluate run --label {wildcards.model} {params.arguments}"
        " --benchmark {input.benchmark} --seed {params.seed}"
        " --predictions {output.predictions} --metrics {output.metrics} > {log} 2>&1"
