rule render_frames:
    input:
        scene=rules.scenes_build.output.scene,
        mesh=rules.scenes_build.output.mesh,
        cameras=rules.views_walkthrough.output.cameras,
        photos=scene_photos,
    output:
        frames=directory(LAYOUT.render_dir("{scene}")),
    log:
        log_path("render_frames", "{scene}"),
    conda:
        "../../envs/geometry.yaml"
    params:
        quality=lookup(dpath="render/jpeg_quality", within=config),
        supersample=lookup(dpath="render/supersample", within=config),
        backend=lookup(dpath="visibility/backend", within=config),
        photos=lambda w, input: f"--photos {input.photos[0]}" if input.photos else "",
    shell:
        "spatialmosaic render frames --scene-json {input.scene} --mesh {input.mesh}"
        " --cameras {input.cameras} --out-dir {output.frames} {params.photos}"
        " --jpeg-quality {params.quality} --supersample {params.supersample}"
        " --backend {params.backend} > {log} 2>&1"
