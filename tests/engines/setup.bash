# Images and the registry (sourced by inside.bash and by every scenario).
#
# busybox: busybox-static with relative applet links, passwd/group with root,
# user 1000 and nobody, /www/index.html for httpd; packed with umoci.
# debian: the debootstrap rootfs the outer runner prepares, packed on first use.
# Both go to Debian's docker-registry on 127.0.0.1:5000 via skopeo; every
# engine pulls them from there.

REG=127.0.0.1:5000
BUSYBOX=$REG/rl/busybox:latest
DEBIAN=$REG/rl/debian:bookworm

make_busybox_rootfs() { # DIR
	local r=$1 bb applet
	bb=$(command -v busybox)
	mkdir -p "$r"/{bin,etc,tmp,root,www,data,proc,sys,dev}
	cp "$bb" "$r/bin/busybox"
	for applet in $("$bb" --list); do
		[[ -e "$r/bin/$applet" ]] || ln -s busybox "$r/bin/$applet"
	done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'user:x:1000:1000:user:/tmp:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$r/etc/passwd"
	printf '%s\n' 'root:x:0:' 'user:x:1000:' 'nogroup:x:65534:' >"$r/etc/group"
	echo 'hello from busybox httpd' >"$r/www/index.html"
	chmod 1777 "$r/tmp"
}

# oci_pack ROOTFS LAYOUT TAG CMD: a one-layer OCI image from ROOTFS.
oci_pack() {
	local rootfs=$1 layout=$2 tag=$3 cmd=$4
	[[ -d $layout ]] || umoci init --layout "$layout"
	umoci new --image "$layout:$tag"
	umoci insert --image "$layout:$tag" "$rootfs" /
	umoci config --image "$layout:$tag" --config.cmd "$cmd" \
		--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		--config.workingdir /
}

push() { # LAYOUT TAG REF
	skopeo --policy "$S/policy.json" copy -q --dest-tls-verify=false "oci:$1:$2" "docker://$3"
}

setup_images_and_registry() {
	set -e
	echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$S/policy.json"
	mkdir -p "$S/registry/data" "$S/images"
	cat >"$S/registry/config.yml" <<-EOF
	version: 0.1
	log:
	  level: warn
	storage:
	  filesystem:
	    rootdirectory: $S/registry/data
	http:
	  addr: $REG
	EOF
	docker-registry serve "$S/registry/config.yml" >"$S/logs/registry-daemon.log" 2>&1 &
	daemons+=($!)
	retry 20 curl -sf "http://$REG/v2/"
	make_busybox_rootfs "$S/images/busybox-rootfs"
	oci_pack "$S/images/busybox-rootfs" "$S/images/oci" busybox sh
	push "$S/images/oci" busybox "$BUSYBOX"
	curl -sf "http://$REG/v2/rl/busybox/tags/list"
	set +e
}

# Pack and push the Debian image once the outer runner's debootstrap is done.
# Prints the reason and fails when there is no Debian image.
prepare_debian() {
	local end=$((SECONDS + 300))
	[[ -f $S/debian/pushed ]] && return 0
	[[ -f $S/debian/failed ]] && { cat "$S/debian/failed"; return 1; }
	while ! [[ -f $S/debian/ready || -f $S/debian/failed ]]; do
		((SECONDS < end)) || { echo "debootstrap not done after 300s"; return 1; }
		sleep 1
	done
	[[ -f $S/debian/failed ]] && { cat "$S/debian/failed"; return 1; }
	{
		oci_pack "$S/debian/rootfs" "$S/images/oci" debian bash &&
			push "$S/images/oci" debian "$DEBIAN"
	} >"$S/logs/debian-image.log" 2>&1 || {
		echo "packing or pushing the Debian image failed (debian-image.log)" | tee "$S/debian/failed"
		return 1
	}
	rm -rf --one-file-system "$S/debian/rootfs"
	touch "$S/debian/pushed"
}
