rule evaluate_model:
    input:
        benchmark=rules.qa_export_benchmark.output.benchmark,
        verified=rules.qa_verify.output.summary,  # never score on data the verifier rejects
        model=fitted_model_files,
    output:
        predictions=LAYOUT.predictions("{model}"),
        metrics=LAYOUT.metrics("{model}"),
    log:
        log_path("evaluate_model", "{model}"),
    conda:
        "../../envs/dataset.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
        model_file=lambda wildcards, input: (
            f"--model-file {input.model}" if input.model else ""
        ),
    shell:
        "spatialmosaic evaluate run --model {wildcards.model} {params.model_file}"
        " --benchmark {input.benchmark} --seed {params.seed}"
        " --predictions {output.predictions} --metrics {output.metrics} > {log} 2>&1"
