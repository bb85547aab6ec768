rule scenes_build:
    output:
        scene=LAYOUT.scene_json("{scene}"),
        mesh=LAYOUT.scene_mesh("{scene}"),
    log:
        log_path("scenes_build", "{scene}"),
    wildcard_constraints:
        scene=r"ours_indoor_\d+",
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


rule scenes_street:
    output:
        scene=LAYOUT.scene_json("{scene}"),
        mesh=LAYOUT.scene_mesh("{scene}"),
    log:
        log_path("scenes_street", "{scene}"),
    wildcard_constraints:
        scene=r"ours_outdoor_\d+",
    conda:
        "../../envs/geometry.yaml"
    params:
        seed=lookup(dpath="seed", within=config),
    shell:
        "spatialmosaic scenes street --name {wildcards.scene} --seed {params.seed}"
        " --scene-json {output.scene} --mesh {output.mesh} > {log} 2>&1"


rule scenes_waymo:
    input:
        components=lambda w: waymo_components(WAYMO_SCENES[w.scene][0]),
    output:
        scene=LAYOUT.scene_json("{scene}"),
        mesh=LAYOUT.scene_mesh("{scene}"),
        cameras=LAYOUT.cameras("{scene}"),
        photos=directory(LAYOUT.photos("{scene}")),
    log:
        log_path("scenes_waymo", "{scene}"),
    wildcard_constraints:
        scene=r"waymo_\w+",
    conda:
        "../../envs/geometry.yaml"
    params:
        root=lambda w: Path(WAYMO["root"]) / WAYMO["split"],
        segment=lambda w: WAYMO_SCENES[w.scene][0],
        snapshot=lambda w: WAYMO_SCENES[w.scene][1],
        snapshots=WAYMO["snapshots_per_segment"],
        width=lookup(dpath="views/width", within=config),
    shell:
        "spatialmosaic scenes waymo --root {params.root} --segment {params.segment}"
        " --snapshot {params.snapshot} --snapshots {params.snapshots} --width {params.width}"
        " --name {wildcards.scene} --scene-json {output.scene} --mesh {output.mesh}"
        " --cameras {output.cameras} --photos {output.photos} > {log} 2>&1"


if WAYMO["download"]:

    rule acquire_waymo:
        output:
            components=waymo_components("{segment}", required_only=False),
        log:
            log_path("acquire_waymo", "{segment}"),
        params:
            root=WAYMO["root"],
            split=WAYMO["split"],
            bucket=WAYMO["bucket"],
        shell:
            "spatialmosaic scenes acquire-waymo --segments {wildcards.segment}"
            " --split {params.split} --root {params.root} --bucket {params.bucket} > {log} 2>&1"


rule scenes_scannetpp:
    input:
        files=scannetpp_inputs,
    output:
        scene=LAYOUT.scene_json("{scene}"),
        mesh=LAYOUT.scene_mesh("{scene}"),
        cameras=LAYOUT.cameras("{scene}"),
        photos=directory(LAYOUT.photos("{scene}")),
    log:
        log_path("scenes_scannetpp", "{scene}"),
    wildcard_constraints:
        scene=name_pattern(SCANNETPP_SCENES),
    conda:
        "../../envs/geometry.yaml"
    params:
        root=SCANNETPP["root"],
        device=SCANNETPP["device"],
        frames=SCANNETPP["frames_per_scene"],
        width=lookup(dpath="views/width", within=config),
    shell:
        "spatialmosaic scenes scannetpp --root {params.root} --scene-id {wildcards.scene}"
        " --device {params.device} --frames {params.frames} --width {params.width}"
        " --scene-json {output.scene} --mesh {output.mesh} --cameras {output.cameras}"
        " --photos {output.photos} > {log} 2>&1"


if SCANNETPP["download"]:

    rule acquire_scannetpp:
        output:
            manifest=scannetpp_manifest("{scene}"),
        log:
            log_path("acquire_scannetpp", "{scene}"),
        wildcard_constraints:
            scene=name_pattern(SCANNETPP_SCENES),
        params:
            root=SCANNETPP["root"],
            device=SCANNETPP["device"],
            script=SCANNETPP["download_script"],
            template=SCANNETPP["download_config"] or "",
            token_env=SCANNETPP["token_env"],
        shell:
            "spatialmosaic scenes acquire-scannetpp --root {params.root}"
            " --scenes {wildcards.scene} --device {params.device} --script {params.script}"
            " --config '{params.template}' --token-env {params.token_env} > {log} 2>&1"


rule scenes_scannet:
    input:
        files=scannet_inputs,
    output:
        scene=LAYOUT.scene_json("{scene}"),
        mesh=LAYOUT.scene_mesh("{scene}"),
        cameras=LAYOUT.cameras("{scene}"),
        photos=directory(LAYOUT.photos("{scene}")),
    log:
        log_path("scenes_scannet", "{scene}"),
    wildcard_constraints:
        scene=name_pattern(SCANNET_SCENES),
    conda:
        "../../envs/geometry.yaml"
    params:
        root=SCANNET["root"],
        frames_from=SCANNET["frames"],
        export_root=SCANNET["export_root"] or "",
        frames=SCANNET["frames_per_scene"],
        width=lookup(dpath="views/width", within=config),
    shell:
        "spatialmosaic scenes scannet --root {params.root} --scene {wildcards.scene}"
        " --frames-from {params.frames_from} --export-root '{params.export_root}'"
        " --frames {params.frames} --width {params.width} --scene-json {output.scene}"
        " --mesh {output.mesh} --cameras {output.cameras} --photos {output.photos}"
        " > {log} 2>&1"


rule scenes_infinigen_env:
    input:
        requirements=REQUIREMENTS,
    output:
        stamp=env_stamp(INFINIGEN["venv"]),
    log:
        log_path("scenes_infinigen_env"),
    conda:
        "../../envs/geometry.yaml"
    params:
        python=INFINIGEN["python"],
    shell:
        "spatialmosaic scenes infinigen-env --python {params.python}"
        " --requirements {input.requirements} --stamp {output.stamp} > {log} 2>&1"


rule scenes_infinigen_generate:
    input:
        env=rules.scenes_infinigen_env.output.stamp,
    output:
        manifest=LAYOUT.infinigen_export("{scene}", "manifest.json"),
        meshes=LAYOUT.infinigen_export("{scene}", "meshes.npz"),
    log:
        log_path("scenes_infinigen_generate", "{scene}"),
    wildcard_constraints:
        scene=r"infinigen_\d+",
    conda:
        "../../envs/geometry.yaml"
    threads: 2
    params:
        seed=lambda w: infinigen_seed(w.scene, INFINIGEN["seed_offset"]),
        configs=INFINIGEN["configs"],
        overrides=" ".join(map(shlex.quote, INFINIGEN["overrides"])),
        timeout=INFINIGEN["timeout_s"],
        nice=INFINIGEN["nice"],
        keep_blend="--keep-blend" if INFINIGEN["keep_blend"] else "",
    shell:
        "spatialmosaic scenes infinigen-generate --env {input.env} --seed {params.seed}"
        " --configs {params.configs} --overrides {params.overrides}"
        " --timeout-s {params.timeout} --nice {params.nice} {params.keep_blend}"
        " --manifest {output.manifest} --meshes {output.meshes} > {log} 2>&1"


rule scenes_infinigen:
    input:
        manifest=rules.scenes_infinigen_generate.output.manifest,
        meshes=rules.scenes_infinigen_generate.output.meshes,
    output:
        scene=LAYOUT.scene_json("{scene}"),
        mesh=LAYOUT.scene_mesh("{scene}"),
    log:
        log_path("scenes_infinigen", "{scene}"),
    wildcard_constraints:
        scene=r"infinigen_\d+",
    conda:
        "../../envs/geometry.yaml"
    shell:
        "spatialmosaic scenes infinigen --manifest {input.manifest} --meshes {input.meshes}"
        " --name {wildcards.scene} --scene-json {output.scene} --mesh {output.mesh}"
        " > {log} 2>&1"
