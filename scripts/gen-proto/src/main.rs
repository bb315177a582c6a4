//! Regenerates the checked-in Rust code of `temporal-lite-proto`.
//!
//! Steps, all driven by the `.proto` files under `proto/protos/`:
//! 1. compile them with `protoc` (env `PROTOC` or `protoc` on `PATH`) into a descriptor set;
//! 2. run prost-build on that set, writing `proto/src/generated/` (one file per package plus
//!    `mod.rs` with the module tree);
//! 3. write `tests/tests/wire_compat/generated.rs`: for every message, a function that builds
//!    an instance with every field set, and the list of wire round trips against the
//!    `temporalio-protos` types;
//! 4. with `--check <dir>` (a `protos/` folder of temporalio-protos, holding `api_upstream/`
//!    and `google/`), compare every message, field and enum value of ours with upstream's
//!    descriptors: name, number, type, label, oneof membership and deprecation must agree.
//!
//! Run from anywhere: `cargo run --manifest-path scripts/gen-proto/Cargo.toml -- --check DIR`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

use heck::{ToSnakeCase, ToUpperCamelCase};
use prost::Message as _;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorSet};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() {
    if let Err(e) = run() {
        eprintln!("gen-proto: {e}");
        std::process::exit(1);
    }
}

fn run() -> Res<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()?;
    let mut upstream = None;
    let mut args = env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => {
                upstream = Some(PathBuf::from(
                    args.next().ok_or("--check needs a directory")?,
                ))
            }
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }

    let proto_dir = root.join("proto/protos");
    let mut files = Vec::new();
    list_protos(&proto_dir, &proto_dir, &mut files)?;
    files.sort();
    let ours = protoc(&[proto_dir.clone()], &files)?;

    let out = root.join("proto/src/generated");
    if out.exists() {
        fs::remove_dir_all(&out)?;
    }
    fs::create_dir_all(&out)?;
    let mut cfg = prost_build::Config::new();
    cfg.out_dir(&out)
        .btree_map(["."])
        .compile_well_known_types()
        .enable_type_names()
        .type_name_domain(["."], "type.googleapis.com")
        .include_file("mod.rs");
    cfg.compile_fds(ours.clone())?;
    println!("wrote {}", out.display());

    let filler = Model::new(&ours).render_filler();
    let filler_path = root.join("tests/tests/wire_compat/generated.rs");
    fs::create_dir_all(filler_path.parent().ok_or("bad path")?)?;
    fs::write(&filler_path, filler)?;
    let fmt = Command::new("rustfmt")
        .arg("--edition=2021")
        .arg(&filler_path)
        .status()?;
    if !fmt.success() {
        return Err(format!("rustfmt failed on {}", filler_path.display()).into());
    }
    println!("wrote {}", filler_path.display());

    if let Some(dir) = upstream {
        check_against_upstream(&ours, &dir)?;
    }
    Ok(())
}

fn list_protos(base: &Path, dir: &Path, out: &mut Vec<String>) -> Res<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            list_protos(base, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "proto") {
            out.push(path.strip_prefix(base)?.to_string_lossy().into_owned());
        }
    }
    Ok(())
}

/// Compiles `files` (relative to one of `includes`) with protoc into a descriptor set.
fn protoc(includes: &[PathBuf], files: &[String]) -> Res<FileDescriptorSet> {
    let protoc = env::var_os("PROTOC").unwrap_or_else(|| "protoc".into());
    let tmp = env::temp_dir().join(format!("gen-proto-{}.pb", std::process::id()));
    let mut cmd = Command::new(&protoc);
    cmd.arg("--include_imports")
        .arg("--include_source_info")
        .arg(format!("--descriptor_set_out={}", tmp.display()));
    for inc in includes {
        cmd.arg(format!("-I{}", inc.display()));
    }
    cmd.args(files);
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {protoc:?} (install protobuf-compiler): {e}"))?;
    if !status.success() {
        return Err(format!("protoc failed: {status}").into());
    }
    let bytes = fs::read(&tmp)?;
    fs::remove_file(&tmp).ok();
    Ok(FileDescriptorSet::decode(bytes.as_slice())?)
}

// ---------------------------------------------------------------------------------------------
// Descriptor index

struct Msg {
    full: String,
    /// Rust path below the crate root, e.g. `temporal::api::common::v1::payload::ExternalPayloadDetails`.
    rust: String,
    /// Rust module holding nested types of this message, e.g. `temporal::api::common::v1::payload`.
    module: String,
    desc: DescriptorProto,
}

struct Model {
    msgs: BTreeMap<String, Msg>,
    enums: BTreeMap<String, EnumDescriptorProto>,
}

fn rust_ident(name: &str) -> String {
    const RAW: &[&str] = &[
        "as", "break", "const", "continue", "else", "enum", "false", "fn", "for", "if", "impl",
        "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
        "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await",
        "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof",
        "unsized", "virtual", "yield", "try", "gen",
    ];
    let snake = name.to_snake_case();
    if RAW.contains(&snake.as_str()) {
        format!("r#{snake}")
    } else if matches!(snake.as_str(), "self" | "super" | "crate") {
        format!("{snake}_")
    } else {
        snake
    }
}

impl Model {
    fn new(set: &FileDescriptorSet) -> Self {
        let mut model = Model {
            msgs: BTreeMap::new(),
            enums: BTreeMap::new(),
        };
        for file in &set.file {
            let pkg = file.package();
            let module = pkg
                .split('.')
                .map(rust_ident)
                .collect::<Vec<_>>()
                .join("::");
            for m in &file.message_type {
                model.add_msg(&format!(".{pkg}"), &module, m);
            }
            for e in &file.enum_type {
                model
                    .enums
                    .insert(format!(".{pkg}.{}", e.name()), e.clone());
            }
        }
        model
    }

    fn add_msg(&mut self, scope: &str, module: &str, m: &DescriptorProto) {
        let full = format!("{scope}.{}", m.name());
        let rust = format!("{module}::{}", m.name().to_upper_camel_case());
        let inner = format!("{module}::{}", rust_ident(m.name()));
        for n in &m.nested_type {
            self.add_msg(&full, &inner, n);
        }
        for e in &m.enum_type {
            self.enums.insert(format!("{full}.{}", e.name()), e.clone());
        }
        self.msgs.insert(
            full.clone(),
            Msg {
                full,
                rust,
                module: inner,
                desc: m.clone(),
            },
        );
    }

    fn is_map_entry(&self, full: &str) -> bool {
        self.msgs[full]
            .desc
            .options
            .as_ref()
            .is_some_and(|o| o.map_entry())
    }

    /// Message types reachable from `start` through fields (including itself if cyclic).
    fn reachable(&self, start: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = self.children(start);
        while let Some(t) = stack.pop() {
            if seen.insert(t.clone()) {
                stack.extend(self.children(&t));
            }
        }
        seen
    }

    fn children(&self, full: &str) -> Vec<String> {
        self.msgs[full]
            .desc
            .field
            .iter()
            .filter(|f| f.r#type() == Type::Message)
            .map(|f| f.type_name().to_owned())
            .collect()
    }

    fn fn_name(full: &str) -> String {
        let parts: Vec<String> = full
            .trim_start_matches('.')
            .split('.')
            .map(|p| p.to_snake_case())
            .collect();
        format!("f_{}", parts.join("__"))
    }

    fn cyclic(&self, full: &str) -> bool {
        self.reachable(full).contains(full)
    }

    /// Non-zero values of an enum, as Rust literal list.
    fn enum_values(&self, full: &str) -> Vec<i32> {
        let e = &self.enums[full];
        let vals: Vec<i32> = e
            .value
            .iter()
            .map(|v| v.number())
            .filter(|n| *n != 0)
            .collect();
        if vals.is_empty() {
            vec![0]
        } else {
            vals
        }
    }

    /// An expression of the Rust type of a non-repeated value of field `f`, varied by `v`.
    fn scalar(&self, f: &FieldDescriptorProto, v: &str) -> String {
        let name = f.name();
        match f.r#type() {
            Type::Double => format!("1.5 + ({v}) as f64"),
            Type::Float => format!("0.25 + ({v}) as f32"),
            Type::Int64 | Type::Sint64 | Type::Sfixed64 => {
                format!("-(1_000_000_007 + ({v}) as i64)")
            }
            Type::Int32 | Type::Sint32 | Type::Sfixed32 => format!("-(70_001 + ({v}) as i32)"),
            Type::Uint64 | Type::Fixed64 => format!("u64::MAX - ({v}) as u64"),
            Type::Uint32 | Type::Fixed32 => format!("4_000_000_000 - ({v}) as u32"),
            Type::Bool => "true".into(),
            Type::String => format!("format!(\"{name}-{{}}\", {v})"),
            Type::Bytes => format!("vec![0xff, 0x00, ({v}) as u8, 0x2a]"),
            Type::Enum => {
                let vals = self.enum_values(f.type_name());
                let list = vals
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("[{list}][({v}) % {}]", vals.len())
            }
            Type::Message => {
                format!("{}(d + 1, {v})", Self::fn_name(f.type_name()))
            }
            Type::Group => unreachable!("groups are not used"),
        }
    }

    fn render_filler(&self) -> String {
        let mut s = String::new();
        s.push_str(
            "// @generated by scripts/gen-proto from proto/protos. Do not edit.\n\
             //\n\
             // `f_*` functions build a message of ours with every field set to a non-default\n\
             // value; `v` picks oneof variants and varies values, `d` is the nesting depth\n\
             // (self-recursive fields stop at depth 2). `run_all` round-trips each message\n\
             // through the matching temporalio-protos type.\n\n\
             #![allow(deprecated, non_snake_case, clippy::all, unused_parens)]\n\n\
             use temporal_lite_proto as ours;\n\
             use temporalio_protos as up;\n\n",
        );
        let mut tests = String::new();
        let mut count = 0usize;
        for (full, m) in &self.msgs {
            if full.starts_with(".google.protobuf.") && self.is_map_entry(full) {
                continue;
            }
            if self.is_map_entry(full) {
                continue;
            }
            self.render_fn(&mut s, m);
            if !full.starts_with(".google.protobuf.") {
                let n = self.variants(full);
                count += 1;
                let _ = writeln!(
                    tests,
                    "    for v in 0..{n} {{\n        \
                     if let Err(e) = super::roundtrip::<ours::{r}, up::{r}>({v:?}, v, {f}(0, v), {e}) \
                     {{ errors.push(e); }}\n    }}",
                    r = m.rust,
                    e = m.desc.field.is_empty(),
                    v = full.trim_start_matches('.'),
                    f = Self::fn_name(full),
                );
            }
        }
        let _ = writeln!(
            s,
            "/// Number of message types `run_all` round-trips.\n\
             pub(crate) const MESSAGE_COUNT: usize = {count};\n\n\
             /// Round-trips every message; returns one line per failure.\n\
             pub(crate) fn run_all() -> Vec<String> {{\n    \
             let mut errors = Vec::new();\n{tests}    errors\n}}"
        );
        s
    }

    /// How many `v` values cover every oneof variant of this message and the ones it contains.
    fn variants(&self, full: &str) -> usize {
        let mut all = self.reachable(full);
        all.insert(full.to_owned());
        all.iter()
            .map(|t| {
                let d = &self.msgs[t].desc;
                (0..d.oneof_decl.len() as i32)
                    .map(|i| d.field.iter().filter(|f| f.oneof_index == Some(i)).count())
                    .max()
                    .unwrap_or(1)
            })
            .max()
            .unwrap_or(1)
            .max(2)
    }

    fn render_fn(&self, s: &mut String, m: &Msg) {
        let d = &m.desc;
        let _ = writeln!(
            s,
            "pub(crate) fn {}(d: u32, v: usize) -> ours::{} {{\n    let _ = (d, v);\n    ours::{} {{",
            Self::fn_name(&m.full),
            m.rust,
            m.rust
        );
        // Plain fields, then one entry per oneof.
        for f in d
            .field
            .iter()
            .filter(|f| f.oneof_index.is_none() || f.proto3_optional())
        {
            let value = self.field_value(f);
            let _ = writeln!(s, "        {}: {value},", rust_ident(f.name()));
        }
        for (i, o) in d.oneof_decl.iter().enumerate() {
            let members: Vec<&FieldDescriptorProto> = d
                .field
                .iter()
                .filter(|f| f.oneof_index == Some(i as i32))
                .collect();
            if members.iter().all(|f| f.proto3_optional()) {
                continue;
            }
            let enum_path = format!("ours::{}::{}", m.module, o.name().to_upper_camel_case());
            let _ = writeln!(
                s,
                "        {}: match v % {} {{",
                rust_ident(o.name()),
                members.len()
            );
            for (j, f) in members.iter().enumerate() {
                let arm = if j + 1 == members.len() {
                    "_".to_owned()
                } else {
                    j.to_string()
                };
                let variant = f.name().to_upper_camel_case();
                let value = self.scalar(f, "v");
                let guard = if f.r#type() == Type::Message && self.cyclic(f.type_name()) {
                    "if d < 2 "
                } else {
                    ""
                };
                let _ = writeln!(
                    s,
                    "            {arm} {guard}=> Some({enum_path}::{variant}(({value}).into())),"
                );
                if !guard.is_empty() {
                    let _ = writeln!(s, "            {arm} => None,");
                }
            }
            s.push_str("        },\n");
        }
        s.push_str("    }\n}\n\n");
    }

    fn field_value(&self, f: &FieldDescriptorProto) -> String {
        let repeated = f.label() == Label::Repeated;
        if f.r#type() == Type::Message && self.is_map_entry(f.type_name()) {
            let entry = &self.msgs[f.type_name()].desc;
            let key = &entry.field[0];
            let val = &entry.field[1];
            let k = match key.r#type() {
                Type::String => format!("format!(\"{}-k{{}}\", v + i)", f.name()),
                _ => self.scalar(key, "v + i"),
            };
            return format!(
                "(0..2usize).map(|i| ({k}, {})).collect()",
                self.scalar(val, "v + i")
            );
        }
        let cut = f.r#type() == Type::Message && self.cyclic(f.type_name());
        if repeated {
            let items = format!("vec![{}, {}]", self.scalar(f, "v"), self.scalar(f, "v + 1"));
            if cut {
                format!("if d < 2 {{ {items} }} else {{ vec![] }}")
            } else {
                items
            }
        } else if f.r#type() == Type::Message {
            let value = format!("Some(({}).into())", self.scalar(f, "v"));
            if cut {
                format!("if d < 2 {{ {value} }} else {{ None }}")
            } else {
                value
            }
        } else if f.proto3_optional() {
            format!("Some({})", self.scalar(f, "v"))
        } else {
            self.scalar(f, "v")
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Comparison with upstream

fn check_against_upstream(ours: &FileDescriptorSet, dir: &Path) -> Res<()> {
    let includes = [dir.join("api_upstream"), dir.to_path_buf()];
    let entry = [
        "temporal/api/workflowservice/v1/request_response.proto".to_owned(),
        "temporal/api/errordetails/v1/message.proto".to_owned(),
        "temporal/api/operatorservice/v1/request_response.proto".to_owned(),
        "google/rpc/status.proto".to_owned(),
    ];
    let theirs = Model::new(&protoc(&includes, &entry)?);
    let ours = Model::new(ours);
    let mut errors = Vec::new();
    let mut omitted = Vec::new();

    for (full, m) in &ours.msgs {
        let Some(u) = theirs.msgs.get(full) else {
            errors.push(format!("{full}: no such message upstream"));
            continue;
        };
        let (o, u) = (&m.desc, &u.desc);
        let oneof_name = |d: &DescriptorProto, f: &FieldDescriptorProto| {
            f.oneof_index
                .map(|i| d.oneof_decl[i as usize].name().to_owned())
        };
        let deprecated =
            |f: &FieldDescriptorProto| f.options.as_ref().is_some_and(|o| o.deprecated());
        for f in &o.field {
            let Some(uf) = u.field.iter().find(|uf| uf.number() == f.number()) else {
                errors.push(format!(
                    "{full}.{}: number {} not upstream",
                    f.name(),
                    f.number()
                ));
                continue;
            };
            let mine = (
                f.name(),
                f.label(),
                f.r#type(),
                f.type_name(),
                oneof_name(o, f),
                f.proto3_optional(),
                deprecated(f),
            );
            let up = (
                uf.name(),
                uf.label(),
                uf.r#type(),
                uf.type_name(),
                oneof_name(u, uf),
                uf.proto3_optional(),
                deprecated(uf),
            );
            if mine != up {
                errors.push(format!(
                    "{full} #{}: ours {mine:?}, upstream {up:?}",
                    f.number()
                ));
            }
        }
        for uf in &u.field {
            if !o.field.iter().any(|f| f.number() == uf.number()) {
                omitted.push(format!("{full}.{} = {}", uf.name(), uf.number()));
            }
        }
    }
    for (full, e) in &ours.enums {
        let Some(u) = theirs.enums.get(full) else {
            errors.push(format!("{full}: no such enum upstream"));
            continue;
        };
        let deprecated = |v: &prost_types::EnumValueDescriptorProto| {
            v.options.as_ref().is_some_and(|o| o.deprecated())
        };
        for v in &e.value {
            match u.value.iter().find(|uv| uv.name() == v.name()) {
                Some(uv) if uv.number() == v.number() && deprecated(uv) == deprecated(v) => {}
                Some(uv) => errors.push(format!(
                    "{full}.{}: ours {}, upstream {}",
                    v.name(),
                    v.number(),
                    uv.number()
                )),
                None => errors.push(format!("{full}.{}: not upstream", v.name())),
            }
        }
        for uv in &u.value {
            if !e.value.iter().any(|v| v.name() == uv.name()) {
                omitted.push(format!("{full}.{} = {}", uv.name(), uv.number()));
            }
        }
    }

    println!(
        "check: {} messages, {} enums compared; {} upstream fields/values left out:",
        ours.msgs.len(),
        ours.enums.len(),
        omitted.len()
    );
    for o in &omitted {
        println!("  omitted {o}");
    }
    if errors.is_empty() {
        println!("check: OK, every field and value matches upstream");
        Ok(())
    } else {
        for e in &errors {
            eprintln!("  MISMATCH {e}");
        }
        Err(format!("{} mismatches with upstream", errors.len()).into())
    }
}
