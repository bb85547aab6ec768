rule visibility_compute:
    input:
        scene=rules.scenes_build.output.scene,
        mesh=rules.scenes_build.output.mesh,
        cameras=rules.views_walkthrough.output.cameras,
        frames=rules.render_frames.output.frames,
    output:
        table=LAYOUT.visibility("{scene}"),
        points=LAYOUT.visible_points("{scene}"),
    log:
        log_path("visibility_compute", "{scene}"),
    conda:
        "../../envs/geometry.yaml"
    params:
        min_pixels=lookup(dpath="visibility/min_visible_pixels", within=config),
        voxel=lookup(dpath="visibility/overlap_voxel_m", within=config),
        backend=lookup(dpath="visibility/backend", within=config),
    shell:
        "spatialmosaic visibility compute --scene-json {input.scene} --mesh {input.mesh}"
        " --cameras {input.cameras} --render-dir {input.frames}"
        " --min-visible-pixels {params.min_pixels} --voxel-m {params.voxel}"
        " --backend {params.backend} --out {output.table} --points {output.points}"
        " > {log} 2>&1"


rule visibility_example:
    input:
        scene=LAYOUT.scene_json(SCENES[0]),
        mesh=LAYOUT.scene_mesh(SCENES[0]),
        cameras=LAYOUT.cameras(SCENES[0]),
        frames=LAYOUT.render_dir(SCENES[0]),
        table=LAYOUT.visibility(SCENES[0]),
    output:
        example=LAYOUT.visibility_example(),
    log:
        log_path("visibility_example"),
    conda:
        "../../envs/geometry.yaml"
    params:
        backend=lookup(dpath="visibility/backend", within=config),
    shell:
        "spatialmosaic visibility example --scene-json {input.scene} --mesh {input.mesh}"
        " --cameras {input.cameras} --render-dir {input.frames} --visibility {input.table}"
        " --backend {params.backend} --out {output.example} > {log} 2>&1"


rule visibility_crosscheck:
    input:
        scene=LAYOUT.scene_json(SCENES[0]),
        mesh=LAYOUT.scene_mesh(SCENES[0]),
        cameras=LAYOUT.cameras(SCENES[0]),
        frames=LAYOUT.render_dir(SCENES[0]),
        table=LAYOUT.visibility(SCENES[0]),
    output:
        summary=LAYOUT.visibility_crosscheck(),
    log:
        log_path("visibility_crosscheck"),
    conda:
        "../../envs/geometry.yaml"
    params:
        frames=lookup(dpath="visibility/crosscheck_frames", within=config),
    shell:
        "spatialmosaic visibility crosscheck --scene-json {input.scene} --mesh {input.mesh}"
        " --cameras {input.cameras} --render-dir {input.frames} --visibility {input.table}"
        " --frames {params.frames} --out {output.summary} > {log} 2>&1"
