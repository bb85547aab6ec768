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
