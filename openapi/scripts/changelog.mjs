// The docs' "Changelog" section: this package's CHANGELOG.md (written by `pnpm version-packages`)
// as a Redoc section, linked from the introduction. It is added to the copy of the spec the docs
// page inlines, at build time: the source YAML and the bundled spec stay as they are.

export const CHANGELOG_TAG = 'Changelog';

/**
 * @param {string | undefined} changelog the CHANGELOG.md text, undefined before the first release
 * @param {string} packageName
 */
export function changelogSection(changelog, packageName) {
  const intro = `What changed in each published version of this specification (the \`${packageName}\` package).`;
  // Changesets titles the file with the package name; the section has its own title.
  const entries = changelog?.replace(/^# .*\n+/, '').trim();
  if (!entries) return `${intro}\n\nNo version has been released yet.`;
  return `${intro}\n\n${entries}`;
}

/**
 * A copy of the spec with the Changelog section last and a link to it at the end of the
 * introduction.
 * @template {{ info: { description?: string }; tags?: object[] }} Spec
 * @param {Spec} spec
 * @param {string | undefined} changelog
 * @param {string} packageName
 * @returns {Spec}
 */
export function withChangelog(spec, changelog, packageName) {
  const link = `What changed in each version: [${CHANGELOG_TAG}](#tag/${CHANGELOG_TAG}).`;
  return {
    ...spec,
    info: { ...spec.info, description: [spec.info.description?.trimEnd(), link].filter(Boolean).join('\n\n') },
    tags: [
      ...(spec.tags ?? []),
      { name: CHANGELOG_TAG, 'x-traitTag': true, description: changelogSection(changelog, packageName) },
    ],
  };
}
