rule scenes_build:
    output:
        scene=LAYOUT.scene_json("{scene}"),
        mesh=LAYOUT.scene_mesh("{scene}"),
    log:
        log_path("scenes_build", "{scene}"),
    conda:
        "../../envs/geometry.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
        furniture_dir=lookup(dpath="scenes/furniture_dir", within=config),
        licences=lookup(dpath="scenes/licences", within=config),
        objects_min=lookup(dpath="scenes/objects_min", within=config),
        objects_max=lookup(dpath="scenes/objects_max", within=config),
    shell:
        "spatialmosaic scenes build --name {wildcards.scene} --seed {params.seed}"
        " --furniture-dir {params.furniture_dir} --licences {params.licences}"
        " --objects-min {params.objects_min} --objects-max {params.objects_max}"
        " --scene-json {output.scene} --mesh {output.mesh} > {log} 2>&1"
