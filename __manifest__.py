# Copyright 2026 crm_opportunity_suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Opportunity Suite",
    "summary": "Opportunity workbench: references, status, probability tags, "
               "item lines and admin-defined custom fields",
    "version": "11.0.1.0.0",
    "category": "Sales",
    "author": "crm_opportunity_suite contributors",
    "website": "https://example.com/crm_opportunity_suite",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "external_dependencies": {"python": ["openpyxl", "xlsxwriter"]},
    "depends": [
        "crm",
        "sale_crm",
        "account",
        "queue_job",
    ],
    "data": [
        "security/crm_opportunity_suite_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "views/crm_probability_tag_views.xml",
        "views/crm_lead_custom_field_views.xml",
        "views/crm_lead_line_views.xml",
        "views/crm_lead_views.xml",
        "views/res_config_settings_views.xml",
        "views/crm_lead_import_log_views.xml",
        "wizards/crm_lead_export_views.xml",
        "wizards/crm_lead_import_views.xml",
        "views/crm_opportunity_suite_menus.xml",
    ],
    "demo": [
        "demo/crm_opportunity_suite_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
