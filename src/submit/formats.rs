//! Blender's output formats (`image_settings.file_format`) and the file extension Blender gives each
//! (`render.file_extension`), so the form offers the formats by name and fills in the extension.

/// One of Blender's image output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    /// The enum name the job types get (`OPEN_EXR_MULTILAYER`).
    pub name: &'static str,
    /// As Blender's menu says it.
    pub label: &'static str,
    /// What `C.scene.render.file_extension` is with this format.
    pub extension: &'static str,
}

const fn format(name: &'static str, label: &'static str, extension: &'static str) -> Format {
    Format { name, label, extension }
}

/// The image formats, in Blender's menu order. Movie formats (FFMPEG) are left out: Flamenco's job
/// types render images and refuse them.
pub const FORMATS: [Format; 14] = [
    format("BMP", "BMP", ".bmp"),
    format("IRIS", "Iris", ".rgb"),
    format("PNG", "PNG", ".png"),
    format("JPEG", "JPEG", ".jpg"),
    format("JPEG2000", "JPEG 2000", ".jp2"),
    format("TARGA", "Targa", ".tga"),
    format("TARGA_RAW", "Targa Raw", ".tga"),
    format("CINEON", "Cineon", ".cin"),
    format("DPX", "DPX", ".dpx"),
    format("OPEN_EXR_MULTILAYER", "OpenEXR MultiLayer", ".exr"),
    format("OPEN_EXR", "OpenEXR", ".exr"),
    format("HDR", "Radiance HDR", ".hdr"),
    format("TIFF", "TIFF", ".tif"),
    format("WEBP", "WebP", ".webp"),
];

/// The format a new form starts with: lossless, with every render pass, as render farms store frames.
pub const DEFAULT_FORMAT: &str = "OPEN_EXR_MULTILAYER";

/// The Blender expression of the output format setting.
pub const FORMAT_EVAL: &str = "C.scene.render.image_settings.file_format";

/// The Blender expression of the file extension setting, which follows the format.
pub const EXTENSION_EVAL: &str = "C.scene.render.file_extension";

/// The format with this enum name.
pub fn by_name(name: &str) -> Option<Format> {
    FORMATS.iter().copied().find(|format| format.name == name.trim())
}

/// The extension Blender writes for the format `name`.
pub fn extension_of(name: &str) -> Option<&'static str> {
    by_name(name).map(|format| format.extension)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_has_blenders_extension() {
        assert_eq!(extension_of("OPEN_EXR_MULTILAYER"), Some(".exr"));
        assert_eq!(extension_of("OPEN_EXR"), Some(".exr"));
        assert_eq!(extension_of("PNG"), Some(".png"));
        assert_eq!(extension_of("JPEG"), Some(".jpg"));
        assert_eq!(extension_of("TIFF"), Some(".tif"));
        assert_eq!(extension_of(" PNG "), Some(".png"));
        assert_eq!(extension_of("FFMPEG"), None, "movies are not offered");
        assert_eq!(extension_of("png"), None, "enum names are exact");
        assert!(by_name(DEFAULT_FORMAT).is_some());
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = FORMATS.iter().map(|format| format.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FORMATS.len());
    }
}
