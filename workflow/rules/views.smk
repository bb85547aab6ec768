rule views_walkthrough:
    input:
        scene=rules.scenes_build.output.scene,
    output:
        cameras=LAYOUT.cameras("{scene}"),
    log:
        log_path("views_walkthrough", "{scene}"),
    wildcard_constraints:
        scene=r"ours_indoor_\d+|infinigen_\d+",  # built-in and Infinigen rooms
    conda:
        "../../envs/geometry.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
        frames=lookup(dpath="views/frames_per_scene", within=config),
        width=lookup(dpath="views/width", within=config),
        height=lookup(dpath="views/height", within=config),
        hfov=lookup(dpath="views/hfov_deg", within=config),
        eye_min=lookup(dpath="views/eye_height_min_m", within=config),
        eye_max=lookup(dpath="views/eye_height_max_m", within=config),
    shell:
        "spatialmosaic views walkthrough --scene-json {input.scene} --seed {params.seed}"
        " --frames {params.frames} --width {params.width} --height {params.height}"
        " --hfov-deg {params.hfov} --eye-min-m {params.eye_min} --eye-max-m {params.eye_max}"
        " --out {output.cameras} > {log} 2>&1"


rule views_rig:
    input:
        scene=rules.scenes_street.output.scene,
    output:
        cameras=LAYOUT.cameras("{scene}"),
    log:
        log_path("views_rig", "{scene}"),
    wildcard_constraints:
        scene=r"ours_outdoor_\d+",
    conda:
        "../../envs/geometry.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
        steps=lookup(dpath="views/rig_steps", within=config),
        width=lookup(dpath="views/width", within=config),
    shell:
        "spatialmosaic views rig --scene-json {input.scene} --seed {params.seed}"
        " --steps {params.steps} --width {params.width} --out {output.cameras} > {log} 2>&1"
