rule viewsets_sample:
    input:
        table=rules.visibility_compute.output.table,
    output:
        viewsets=LAYOUT.viewsets("{scene}"),
    log:
        log_path("viewsets_sample", "{scene}"),
    conda:
        "../../envs/dataset.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
        per_scene=lookup(dpath="viewsets/per_scene", within=config),
        min_views=lookup(dpath="viewsets/min_views", within=config),
        max_views=lookup(dpath="viewsets/max_views", within=config),
        max_overlap=lookup(dpath="viewsets/max_overlap", within=config),
        max_tries=lookup(dpath="viewsets/max_tries", within=config),
        targets=lambda wildcards: " ".join(
            str(config["viewsets"]["condition_targets"][name])
            for name in ("partial_visibility", "occlusion", "low_overlap")
        ),
        occluded=lookup(dpath="viewsets/occluded_min_ratio", within=config),
    shell:
        "spatialmosaic views viewsets --visibility {input.table} --seed {params.seed}"
        " --count {params.per_scene} --min-views {params.min_views} --max-views {params.max_views}"
        " --max-overlap {params.max_overlap} --max-tries {params.max_tries}"
        " --condition-targets {params.targets} --occluded-min-ratio {params.occluded}"
        " --out {output.viewsets} > {log} 2>&1"
