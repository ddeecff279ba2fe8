// Builds assets/dist from the npm registry's govuk-frontend and Canopy's own sources.
// Nothing here is committed: assets/dist is made fresh by `npm run build`.
import { compile } from 'sass'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const dist = join(root, 'assets', 'dist')
const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
mkdirSync(dist, { recursive: true })

const css = compile(join(root, 'assets', 'src', 'canopy.scss'), {
  loadPaths: [join(root, 'node_modules')],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import', 'global-builtin', 'color-functions', 'slash-div']
})
writeFileSync(join(dist, 'canopy.css'), css.css)
copyFileSync(join(root, 'assets', 'src', 'canopy.js'), join(dist, 'canopy.js'))
copyFileSync(join(govuk, 'govuk-frontend.min.js'), join(dist, 'govuk-frontend.min.js'))
// axe-core is served only to the browser tests, which load it from node_modules themselves.
console.log(`built ${dist}`)
