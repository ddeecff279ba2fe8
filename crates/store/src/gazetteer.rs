//! The gazetteer of postcode district centres, loaded by an admin, from which placement distances
//! are worked out.

use crate::{AuditContext, AuditEvent, Store, StoreError};
use canopy_domain::org::{DistrictCentre, PostcodeDistrict};
use sqlx::Row;
use std::collections::HashMap;

impl Store {
    /// Adds or replaces district centres, in one transaction; returns how many were written.
    pub async fn load_district_centres(
        &self,
        ctx: &AuditContext,
        centres: &[(PostcodeDistrict, DistrictCentre)],
    ) -> Result<usize, StoreError> {
        let mut tx = self.begin_write().await?;
        for (district, centre) in centres {
            sqlx::query(
                "INSERT INTO postcode_district_centres (district, latitude, longitude) VALUES ($1, $2, $3) \
                 ON CONFLICT (district) DO UPDATE SET latitude = excluded.latitude, longitude = excluded.longitude",
            )
            .bind(district.as_str())
            .bind(centre.latitude)
            .bind(centre.longitude)
            .execute(tx.conn())
            .await?;
        }
        let detail = format!("{} postcode district centres", centres.len());
        tx.audit(
            ctx,
            AuditEvent::succeeded("load_district_centres", "gazetteer", "postcode_districts").with_detail(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(centres.len())
    }

    /// The centres of the districts asked for that the gazetteer has, by district.
    pub async fn district_centres(&self, districts: &[String]) -> Result<HashMap<String, DistrictCentre>, StoreError> {
        let mut found = HashMap::new();
        for chunk in districts.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| self.engine().mark(i)).collect();
            let sql = format!(
                "SELECT district, latitude, longitude FROM postcode_district_centres WHERE district IN ({})",
                marks.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for d in chunk {
                query = query.bind(d);
            }
            for r in query.fetch_all(self.pool()).await? {
                let centre = DistrictCentre { latitude: r.try_get("latitude")?, longitude: r.try_get("longitude")? };
                found.insert(r.try_get("district")?, centre);
            }
        }
        Ok(found)
    }
}
